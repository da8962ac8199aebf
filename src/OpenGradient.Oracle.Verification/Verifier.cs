using System.Globalization;
using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Inference;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Inference;

namespace OpenGradient.Oracle.Verification;

/// <summary>
/// Runs every check of docs/VERIFICATION.md on a <see cref="ProofBundle"/> (read from the chain by
/// <see cref="SettlementReader"/> or from a file) and reports each one by name. Never throws for a wrong record: a
/// wrong record is a failed check.
/// </summary>
/// <param name="inference">Re-runs the model; its model store refuses a file whose keccak256 is not the model id.</param>
/// <param name="operators">Where operator registration comes from: the chain (online) or the bundle (offline).</param>
/// <param name="chain">Online mode only: the digests are also compared with the contract's own
/// <c>commitmentDigest</c> / <c>failureDigest</c> at the settlement block. Null offline.</param>
public sealed class Verifier(IOracleInference inference, IOperatorStatusSource operators, EthRpcClient? chain = null)
{
    private static readonly byte[] ExpectedRuntime = Keccak256.Hash(Encoding.UTF8.GetBytes(RuntimeDescriptor.Current));

    public async Task<VerificationReport> VerifyAsync(ProofBundle bundle, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var checks = new List<CheckResult>();
        var settlement = bundle.Settlement;

        checks.Add(CheckRecord(bundle));
        checks.Add(CheckInputHash(bundle));
        if (settlement.Kind == SettlementKind.Fulfilled)
        {
            checks.Add(CheckOutputHash(bundle));
            checks.Add(CheckOutputRange(bundle));
        }

        var modelFile = await CheckModelFileAsync(bundle, cancellationToken).ConfigureAwait(false);
        checks.Add(modelFile);
        checks.Add(modelFile.Passed
            ? await ReExecuteAsync(bundle, cancellationToken).ConfigureAwait(false)
            : CheckResult.Skip("re-execution", "needs the model file (see model-file)"));

        var domain = Eip712Domain.InferenceOracle(bundle.ChainId, bundle.Oracle);
        var winningVote = settlement.Kind == SettlementKind.Fulfilled ? bundle.EffectiveOutputHash ?? [] : Votes.ForFailure(settlement.Reason ?? 0);
        var agreeing = new List<(Address Signer, bool Reexecution)>();
        for (var i = 0; i < bundle.Commitments.Count; i++)
        {
            var commitment = bundle.Commitments[i];
            var (signature, signer) = CheckSignature(bundle, domain, i);
            checks.Add(signature);
            if (chain is not null) checks.Add(await CheckContractDigestAsync(bundle, domain, i, cancellationToken).ConfigureAwait(false));
            var operatorCheck = signer is { } s
                ? await CheckOperatorAsync(i, s, commitment.Position.BlockNumber, bundle.MinStake, cancellationToken).ConfigureAwait(false)
                : CheckResult.Skip($"operator[{i}]", "no signer recovered (see " + signature.Name + ")");
            checks.Add(operatorCheck);
            var vote = (signer ?? default, commitment.Method == ProofBundle.ReexecuteMethod);
            if (signature.Passed && operatorCheck.Passed && ContentVote(commitment).AsSpan().SequenceEqual(winningVote) && !agreeing.Contains(vote))
                agreeing.Add(vote);
        }

        checks.Add(CheckQuorum(bundle, winningVote, agreeing));
        if (bundle.Finality is { } finality) checks.Add(CheckFinality(bundle, finality));
        checks.Add(CheckRuntime(bundle, winningVote));
        return new VerificationReport(bundle.RequestId, source, checks);
    }

    // ------------------------------------------------------------------ record and hashes

    private static CheckResult CheckRecord(ProofBundle b)
    {
        const string name = "record";
        var r = b.Request;
        if (!r.ModelId.AsSpan().SequenceEqual(b.Model.ModelId))
            return CheckResult.Fail(name, $"the request names model {Hex.Encode(r.ModelId)} but the registry entry is for {Hex.Encode(b.Model.ModelId)}");
        if (r.Redundancy < 1 || r.Redundancy > 7)
            return CheckResult.Fail(name, $"redundancy {r.Redundancy} is outside 1..7");
        if (b.Commitments.Count == 0)
            return CheckResult.Fail(name, "the settlement is backed by no commitment");
        if (b.Settlement.Kind == SettlementKind.Fulfilled && (b.Settlement.Output is null || b.Settlement.OutputHash is null))
            return CheckResult.Fail(name, "a fulfilment without output or outputHash");
        if (b.Settlement.Kind == SettlementKind.Failed && b.Settlement.Reason is null)
            return CheckResult.Fail(name, "a failure without reason");
        if (b.Model.Output.ByteLength != r.OutputBytes)
            return CheckResult.Fail(name, $"the request expects {r.OutputBytes} output bytes but the model's output spec takes {b.Model.Output.ByteLength}");
        return CheckResult.Pass(name, $"request {b.RequestId} for model {Hex.Encode(r.ModelId)}, redundancy {r.Redundancy}, " +
            $"{b.Commitments.Count} commitment(s), settled {(b.Settlement.Kind == SettlementKind.Fulfilled ? "with a result" : "as failed")} in block {b.Settlement.Position.BlockNumber}");
    }

    private static CheckResult CheckInputHash(ProofBundle b)
    {
        var actual = Keccak256.Hash(b.Input);
        return actual.AsSpan().SequenceEqual(b.Request.InputHash)
            ? CheckResult.Pass("input-hash", $"keccak256(input, {b.Input.Length} bytes) = request.inputHash {Hex.Encode(actual)}")
            : CheckResult.Fail("input-hash", $"keccak256(input) = {Hex.Encode(actual)} but the request's inputHash is {Hex.Encode(b.Request.InputHash)}: the input is not the one requested");
    }

    private static CheckResult CheckOutputHash(ProofBundle b)
    {
        const string name = "output-hash";
        var output = b.EffectiveOutput ?? [];
        var which = b.Finality?.FinalOutput is null ? "settled" : "final";
        if (output.Length != b.Request.OutputBytes)
            return CheckResult.Fail(name, $"the {which} output has {output.Length} bytes; the request expects {b.Request.OutputBytes}");
        var actual = Votes.ForOutput(output);
        return actual.AsSpan().SequenceEqual(b.EffectiveOutputHash ?? [])
            ? CheckResult.Pass(name, $"keccak256(output) = {which} outputHash {Hex.Encode(actual)}")
            : CheckResult.Fail(name, $"keccak256(output) = {Hex.Encode(actual)} but the {which} outputHash is {Hex.Encode(b.EffectiveOutputHash ?? [])}");
    }

    /// <summary>Needs no model: an honest node clamps every output element to the registered range, so an element
    /// outside it can only come from a node that did not run the protocol (the contract checks only the length).</summary>
    private static CheckResult CheckOutputRange(ProofBundle b)
    {
        const string name = "output-range";
        var output = b.EffectiveOutput ?? [];
        var spec = b.Model.Output;
        if (output.Length != spec.ByteLength)
            return CheckResult.Fail(name, $"the settled output has {output.Length} bytes; the output spec takes {spec.ByteLength}");
        var values = TensorCodec.Decode(output, spec);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < spec.MinValue || values[i] > spec.MaxValue)
                return CheckResult.Fail(name, string.Create(CultureInfo.InvariantCulture,
                    $"element {i} = {values[i]} lies outside the registered range [{spec.MinValue}, {spec.MaxValue}]; an honest node clamps to it"));
        }
        return CheckResult.Pass(name, string.Create(CultureInfo.InvariantCulture,
            $"all {values.Length} element(s) lie in the registered range [{spec.MinValue}, {spec.MaxValue}]"));
    }

    // ------------------------------------------------------------------ model and re-execution

    private async Task<CheckResult> CheckModelFileAsync(ProofBundle b, CancellationToken cancellationToken)
    {
        var failure = await inference.PreloadAsync(b.Request.ModelId, NullIfEmpty(b.Model.Uri), cancellationToken).ConfigureAwait(false);
        if (failure is null)
            return CheckResult.Pass("model-file", $"a file with keccak256 = model id {Hex.Encode(b.Request.ModelId)} was found and loaded");
        var detail = failure is ModelHashMismatch mismatch
            ? $"refusing {mismatch.Source}: it hashes to {mismatch.ActualHash}, not the model id {mismatch.ExpectedHash}"
            : $"{Name(failure.Reason)}: {failure.Detail}";
        return CheckResult.Unverifiable("model-file", detail + " (pass --model-dir with the registered file)");
    }

    private async Task<CheckResult> ReExecuteAsync(ProofBundle b, CancellationToken cancellationToken)
    {
        const string name = "re-execution";
        InferenceResult result;
        try
        {
            result = await inference.RunAsync(new InferenceRequest(b.Request.ModelId, NullIfEmpty(b.Model.Uri), b.Model.Input, b.Model.Output, b.Input), cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return CheckResult.Fail(name, $"the registered tensor specs cannot be run: {e.Message}");
        }

        if (b.Settlement.Kind == SettlementKind.Fulfilled)
        {
            var settled = b.EffectiveOutput ?? [];
            if (!result.IsSuccess)
                return CheckResult.Fail(name, $"re-running fails with {Name(result.Failure.Reason)} ({result.Failure.Detail}), but an output was settled");
            if (result.Output.AsSpan().SequenceEqual(settled))
                return CheckResult.Pass(name, $"re-running the model gives the settled output bit for bit: {Describe(settled, b.Model.Output)}");
            return CheckResult.Fail(name, $"re-running gives {Describe(result.Output, b.Model.Output)} but {Describe(settled, b.Model.Output)} was settled" + FirstDifference(result.Output, settled, b.Model.Output));
        }

        var reason = b.Settlement.Reason ?? 0;
        // These describe where the operator looked for the model or how its machine behaved, not the model and input:
        // running them again elsewhere proves nothing either way.
        if (reason is (ushort)FailureReason.ModelFileUnavailable or (ushort)FailureReason.ModelHashMismatch
            or (ushort)FailureReason.RetriesExhausted or (ushort)FailureReason.ModelUnknown)
        {
            return result.IsSuccess
                ? CheckResult.Unverifiable(name, $"{Name(reason)} describes the operator's environment and cannot be reproduced; note that re-running here succeeds with {Describe(result.Output, b.Model.Output)}")
                : CheckResult.Unverifiable(name, $"{Name(reason)} describes the operator's environment and cannot be reproduced (re-running here fails with {Name(result.Failure.Reason)})");
        }
        if (reason == (ushort)FailureReason.ModelRevoked)
        {
            return b.Model.Revoked
                ? CheckResult.Pass(name, $"{Name(reason)}: the registry marks the model revoked at block {b.Model.AtBlock}")
                : CheckResult.Fail(name, $"{Name(reason)} was reported but the registry shows the model active at block {b.Model.AtBlock}");
        }
        if (result.IsSuccess)
            return CheckResult.Fail(name, $"{Name(reason)} was settled, but re-running succeeds with {Describe(result.Output, b.Model.Output)}");
        return (ushort)result.Failure.Reason == reason
            ? CheckResult.Pass(name, $"re-running fails with {Name(reason)} as reported ({result.Failure.Detail})")
            : CheckResult.Fail(name, $"{Name(reason)} was settled, but re-running fails with {Name(result.Failure.Reason)} ({result.Failure.Detail})");
    }

    // ------------------------------------------------------------------ signatures, operators, quorum

    /// <summary>The signature is a well-formed 65-byte low-s signature over the recomputed EIP-712 digest, by the
    /// operator the chain recorded, and the recorded vote is what the signed content votes for.</summary>
    private static (CheckResult Check, Address? Signer) CheckSignature(ProofBundle b, Eip712Domain domain, int index)
    {
        var name = $"signature[{index}]";
        var c = b.Commitments[index];
        var what = c.Kind == SettlementKind.Fulfilled ? "Commitment" : "FailureReport";
        if (c.Kind == SettlementKind.Fulfilled && c.Output is null)
            return (CheckResult.Fail(name, "a result commitment without its output"), null);
        if (c.Kind == SettlementKind.Failed && c.Reason is null)
            return (CheckResult.Fail(name, "a failure report without its reason"), null);
        if (c.Signature.Length != Signature.Length || c.Signature[64] is not (27 or 28))
            return (CheckResult.Fail(name, $"not a 65-byte r‖s‖v signature with v ∈ {{27, 28}} ({c.Signature.Length} bytes); the contract rejects it"), null);

        byte[] digest;
        Address signer;
        try
        {
            digest = CommitmentDigests.Digest(domain, b.RequestId, b.Request.ModelId, b.Request.InputHash, c);
            signer = Signature.FromBytes(c.Signature).Recover(digest);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return (CheckResult.Fail(name, $"the {what} signature is malformed: {e.Message}"), null);
        }

        var contentVote = ContentVote(c);
        if (!contentVote.AsSpan().SequenceEqual(c.Vote))
            return (CheckResult.Fail(name, $"the recorded vote {Hex.Encode(c.Vote)} is not what the signed {what} votes for ({Hex.Encode(contentVote)})"), signer);
        if (signer != c.Operator)
            return (CheckResult.Fail(name, $"the {what} signature over EIP-712 digest {Hex.Encode(digest)} recovers to {signer}, but the commitment was recorded for {c.Operator}"), signer);
        return (CheckResult.Pass(name, $"{what} digest {Hex.Encode(digest)} (chain {b.ChainId}, oracle {b.Oracle}) is signed by {signer}"), signer);
    }

    private async Task<CheckResult> CheckContractDigestAsync(ProofBundle b, Eip712Domain domain, int index, CancellationToken cancellationToken)
    {
        var name = $"digest[{index}]";
        var c = b.Commitments[index];
        var ours = CommitmentDigests.Digest(domain, b.RequestId, b.Request.ModelId, b.Request.InputHash, c);
        var call = c.Kind == SettlementKind.Fulfilled
            ? InferenceOracleContract.EncodeCommitmentDigest(b.RequestId, b.Request.ModelId, b.Request.InputHash, Votes.ForOutput(c.Output ?? []), c.Runtime)
            : InferenceOracleContract.EncodeFailureDigest(b.RequestId, b.Request.ModelId, b.Request.InputHash, c.Reason ?? 0, c.Runtime);
        byte[] theirs;
        try
        {
            theirs = InferenceOracleContract.DecodeCommitmentDigestOutput(await chain!.EthCallAsync(
                new TransactionRequest { To = b.Oracle, Data = call }, BlockTag.Number(b.Settlement.Position.BlockNumber), cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is RpcErrorException or ContractRevertException or Ethereum.Abi.AbiDecodingException)
        {
            // A bundle checked against a chain may name a block or contract that does not answer; that is a finding.
            return CheckResult.Fail(name, $"the oracle {b.Oracle} does not compute digests at block {b.Settlement.Position.BlockNumber}: {e.Message}");
        }
        return ours.AsSpan().SequenceEqual(theirs)
            ? CheckResult.Pass(name, $"the contract computes the same EIP-712 digest {Hex.Encode(ours)}")
            : CheckResult.Fail(name, $"this verifier computes {Hex.Encode(ours)} but the contract computes {Hex.Encode(theirs)}");
    }

    private async Task<CheckResult> CheckOperatorAsync(int index, Address signer, ulong block, BigInteger minStake, CancellationToken cancellationToken)
    {
        var name = $"operator[{index}]";
        var where = $"at block {block} ({operators.Label})";
        OperatorRecord? state;
        try
        {
            state = await operators.GetAsync(signer, block, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcErrorException or ContractRevertException or Ethereum.Abi.AbiDecodingException)
        {
            return CheckResult.Fail(name, $"the operator registry does not answer for {signer} {where}: {e.Message}");
        }
        if (state is null)
            return CheckResult.Fail(name, $"{signer} is not a registered operator {where}: the bundle records no registry state for it");
        if (!state.Registered)
            return CheckResult.Fail(name, $"{signer} was not a registered operator {where}");
        if (!state.Active)
        {
            var why = state.UnbondingAt != 0 ? $"unbonding since {state.UnbondingAt}" : $"stake {state.Stake} below minStake {minStake}";
            return CheckResult.Fail(name, $"{signer} was registered but not active {where}: {why}");
        }
        return CheckResult.Pass(name, $"{signer} was a registered, active operator with stake {state.Stake} wei {where}");
    }

    /// <summary>Re-executors that must agree to decide a challenge round (<c>CHALLENGE_QUORUM</c>).</summary>
    private const int ChallengeQuorum = 2;

    private static CheckResult CheckQuorum(ProofBundle b, byte[] winningVote, List<(Address Signer, bool Reexecution)> agreeing)
    {
        const string name = "quorum";
        // A decided challenge round settles on its re-executors' majority; otherwise the request's own commitments count.
        var byRound = b.Finality?.Outcome is ChallengeOutcome.OriginalCorrect or ChallengeOutcome.OriginalWrong;
        var needed = byRound ? ChallengeQuorum : (int)b.Request.Redundancy;
        var count = agreeing.Count(a => a.Reexecution == byRound);
        var who = byRound ? "re-executing operator(s) of the challenge round" : "active operator(s)";
        var requirement = byRound ? $"the challenge quorum {ChallengeQuorum}" : $"redundancy {needed}";
        var dissent = b.Commitments.Count(c => !c.Vote.AsSpan().SequenceEqual(winningVote));
        var settledAs = b.Settlement.Kind == SettlementKind.Fulfilled ? $"output hash {Hex.Encode(winningVote)}" : $"failure {Name(b.Settlement.Reason ?? 0)}";
        var dissentText = dissent == 0 ? "" : $"; {dissent} commitment(s) voted otherwise";
        return count >= needed
            ? CheckResult.Pass(name, $"{count} distinct {who} with valid signatures voted for the {settledAs} ({requirement}){dissentText}")
            : CheckResult.Fail(name, $"only {count} distinct {who} with valid signatures voted for the {settledAs}; {requirement} needs {needed}{dissentText}");
    }

    /// <summary>An opted-in request: its result counts only once final, and the final output must be the one the
    /// round (or the window) allows.</summary>
    private static CheckResult CheckFinality(ProofBundle b, FinalityHistory f)
    {
        const string name = "finality";
        var provisional = Hex.Encode(f.ProvisionalOutputHash);
        if (f.FinalOutputHash is not { } finalHash)
        {
            return f.Challenge is { } open
                ? CheckResult.Unverifiable(name, $"the provisional result {provisional} was challenged by {open.Challenger} and the re-execution round has not decided yet; it is not final")
                : CheckResult.Unverifiable(name, $"the result {provisional} is provisional: it can be challenged until {f.ChallengeDeadline} (unix time) and is final only after `finalize`");
        }
        var final = Hex.Encode(finalHash);
        var same = finalHash.AsSpan().SequenceEqual(f.ProvisionalOutputHash);
        return f.Outcome switch
        {
            ChallengeOutcome.None when same => CheckResult.Pass(name, $"final at block {f.Finalized!.BlockNumber}: not challenged within the window, the provisional output {provisional} stands"),
            ChallengeOutcome.TimedOut when same => CheckResult.Pass(name, $"final at block {f.Finalized!.BlockNumber}: the challenge by {f.Challenge?.Challenger} timed out without a majority, the provisional output stands"),
            ChallengeOutcome.OriginalCorrect when same => CheckResult.Pass(name, $"final at block {f.Finalized!.BlockNumber}: the challenge by {f.Challenge?.Challenger} lost, the re-executors confirmed {provisional}"),
            ChallengeOutcome.OriginalWrong when !same => CheckResult.Pass(name, $"final at block {f.Finalized!.BlockNumber}: the challenge by {f.Challenge?.Challenger} won, the provisional output {provisional} was replaced by the re-executors' {final}"),
            _ => CheckResult.Fail(name, $"outcome {f.Outcome} does not fit a final output {final} against the provisional {provisional}"),
        };
    }

    private static CheckResult CheckRuntime(ProofBundle b, byte[] winningVote)
    {
        const string name = "runtime";
        var runtimes = b.Commitments.Where(c => c.Vote.AsSpan().SequenceEqual(winningVote)).Select(c => Hex.Encode(c.Runtime)).Distinct().ToList();
        var expected = Hex.Encode(ExpectedRuntime);
        return runtimes.All(r => r == expected)
            ? CheckResult.Pass(name, $"the agreeing commitments name runtime {expected} = keccak256(\"{RuntimeDescriptor.Current}\"), the one this verifier runs")
            : CheckResult.Unverifiable(name, $"the agreeing commitments name runtime(s) {string.Join(", ", runtimes)}; this verifier runs {expected} (\"{RuntimeDescriptor.Current}\"), so bit equality is only promised for the same runtime");
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] ContentVote(CommitmentRecord c) =>
        c.Kind == SettlementKind.Fulfilled ? Votes.ForOutput(c.Output ?? []) : Votes.ForFailure(c.Reason ?? 0);

    private static string? NullIfEmpty(string uri) => string.IsNullOrWhiteSpace(uri) ? null : uri;

    private static string Name(FailureReason reason) => Name((ushort)reason);

    internal static string Name(ushort reason) => reason switch
    {
        1 => "INPUT_MALFORMED",
        2 => "INPUT_SHAPE_MISMATCH",
        3 => "INPUT_OUT_OF_RANGE",
        4 => "MODEL_UNKNOWN",
        5 => "MODEL_REVOKED",
        6 => "MODEL_FILE_UNAVAILABLE",
        7 => "MODEL_HASH_MISMATCH",
        8 => "INFERENCE_ERROR",
        9 => "OUTPUT_NOT_FINITE",
        10 => "RETRIES_EXHAUSTED",
        _ => $"reason {reason}",
    };

    /// <summary>Decoded values with their fixed-point scale, e.g. <c>[742113] (decimals 6, 0x000b52e1)</c>.</summary>
    private static string Describe(byte[] tensor, TensorSpec spec)
    {
        if (tensor.Length != spec.ByteLength) return $"{tensor.Length} bytes {Hex.Encode(tensor)}";
        var values = TensorCodec.Decode(tensor, spec);
        var shown = string.Join(", ", values.Take(8).Select(v => v.ToString(CultureInfo.InvariantCulture))) + (values.Length > 8 ? ", …" : "");
        return $"[{shown}] (decimals {spec.Decimals}, {Hex.Encode(tensor)})";
    }

    private static string FirstDifference(byte[] rerun, byte[] settled, TensorSpec spec)
    {
        if (rerun.Length != spec.ByteLength || settled.Length != spec.ByteLength) return "";
        var a = TensorCodec.Decode(rerun, spec);
        var s = TensorCodec.Decode(settled, spec);
        for (var i = 0; i < a.Length; i++)
            if (a[i] != s[i]) return string.Create(CultureInfo.InvariantCulture, $"; first difference at element {i}: {a[i]} vs {s[i]}");
        return "";
    }
}
