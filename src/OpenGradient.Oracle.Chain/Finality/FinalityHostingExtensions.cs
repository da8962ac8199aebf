using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Chain.Finality;

/// <summary>Finality settings, read from the <c>Chain</c> section.</summary>
public sealed class FinalityOptions
{
    /// <summary>Whether this node sends <c>finalize</c> for provisional results whose challenge window (or dispute
    /// round) has closed, so consumers get their final callback without anyone else acting. Anyone may finalize; the
    /// first one pays the gas (the fee goes to the operator that produced the result either way).</summary>
    public bool FinalizeProvisionalResults { get; set; } = true;
}

internal static class FinalityHostingExtensions
{
    /// <summary>Registers <see cref="ChallengeResponder"/> and, unless Chain:FinalizeProvisionalResults is false,
    /// <see cref="FinalityKeeper"/>. Called by AddOracleChain.</summary>
    public static void AddOracleFinality(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(ChainOptions.SectionName).Get<FinalityOptions>() ?? new FinalityOptions();
        services.AddOptions<FinalityOptions>().Bind(builder.Configuration.GetSection(ChainOptions.SectionName));
        services.TryAddSingleton(sp => new OracleFinalityReader(sp.GetRequiredService<ChainContext>(), sp.GetRequiredService<IRequestStore>()));
        services.TryAddSingleton(sp => new FinalityTransactions(sp.GetRequiredService<ChainContext>(), sp.GetRequiredService<INonceStore>(),
            sp.GetRequiredService<IOutboundTransactionStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FinalityTransactions>>()));
        services.TryAddSingleton(sp => new ChallengeResponder(sp.GetRequiredService<ChainContext>(), sp.GetRequiredService<IChainCursorStore>(),
            sp.GetRequiredService<IInferenceRunner>(), sp.GetRequiredService<OracleFinalityReader>(), sp.GetRequiredService<FinalityTransactions>(),
            sp.GetRequiredService<ResultSubmitter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ChallengeResponder>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ChallengeResponder>());
        if (!options.FinalizeProvisionalResults) return;
        services.TryAddSingleton(sp => new FinalityKeeper(sp.GetRequiredService<ChainContext>(), sp.GetRequiredService<IChainCursorStore>(),
            sp.GetRequiredService<OracleFinalityReader>(), sp.GetRequiredService<FinalityTransactions>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FinalityKeeper>>()));
        services.AddHostedService(sp => sp.GetRequiredService<FinalityKeeper>());
    }
}
