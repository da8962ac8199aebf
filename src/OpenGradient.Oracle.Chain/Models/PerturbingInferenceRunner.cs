using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Chain.Models;

/// <summary>
/// A deliberately dishonest node for quorum tests (<c>FaultInjection:PerturbOutputs</c>): flips the lowest bit of every
/// successful output, so its commitments disagree with honest nodes' and the contract's quorum rule must outvote and
/// slash it. Refuses to run on any chain but a local devnet, so a stray setting cannot cost a real operator its stake.
/// </summary>
internal sealed partial class PerturbingInferenceRunner(IInferenceRunner honest, ChainContext chain, ILogger<PerturbingInferenceRunner> logger)
    : IInferenceRunner
{
    private static readonly HashSet<ulong> DevnetChainIds = [31337, 1337];

    public async Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var identity = await chain.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
        if (!DevnetChainIds.Contains(identity.ChainId))
            throw new InvalidOperationException(
                $"FaultInjection:PerturbOutputs is set but chain {identity.ChainId} is not a local devnet; remove the setting");
        var outcome = await honest.RunAsync(request, cancellationToken).ConfigureAwait(false);
        if (outcome.Output is not { Length: > 0 } output) return outcome;
        var perturbed = (byte[])output.Clone();
        perturbed[^1] ^= 1;
        LogPerturbed(request.Key.ToString());
        return InferenceOutcome.Success(perturbed);
    }

    [LoggerMessage(EventId = 3901, Level = LogLevel.Warning, Message = "FaultInjection: perturbed the output of {RequestKey}")]
    private partial void LogPerturbed(string requestKey);
}
