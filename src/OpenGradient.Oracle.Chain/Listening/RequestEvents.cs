using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using CoreRequest = OpenGradient.Oracle.Core.Requests.InferenceRequest;
using OnChainRequest = OpenGradient.Oracle.Core.Requests.OnChainRequest;
using LogPosition = OpenGradient.Oracle.Core.Requests.LogPosition;
using RequestKey = OpenGradient.Oracle.Core.Requests.RequestKey;

namespace OpenGradient.Oracle.Chain.Listening;

/// <summary>Converts between the oracle's <c>InferenceRequested</c> log / <c>Request</c> struct and Core's request types.</summary>
public static class RequestEvents
{
    public static byte[] Topic0 => InferenceOracleContract.InferenceRequestedEventAbi.Topic0;

    /// <summary>Rebuilds the request from its log (a mined log: block and transaction are known).</summary>
    /// <exception cref="Ethereum.Abi.AbiDecodingException">the log is not a well-formed InferenceRequested.</exception>
    public static CoreRequest FromLog(ulong chainId, RpcLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var e = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
        var r = e.Request;
        var request = new OnChainRequest(
            r.Requester.ToString(),
            r.Fee,
            r.ModelId,
            r.InputHash,
            (ulong)r.Deadline,
            (uint)r.CallbackGasLimit,
            (uint)r.OutputBytes,
            (byte)r.Redundancy);
        var position = new LogPosition(
            log.BlockNumber ?? throw new ArgumentException("a pending log has no block number", nameof(log)),
            log.BlockHash ?? throw new ArgumentException("a pending log has no block hash", nameof(log)),
            log.TransactionHash ?? throw new ArgumentException("a pending log has no transaction hash", nameof(log)),
            (uint)(log.LogIndex ?? 0));
        return new CoreRequest(new RequestKey(chainId, log.Address.ToString(), e.RequestId), request, e.Input, position);
    }

    /// <summary>The struct the contract expects back in fulfil / reportFailure.</summary>
    public static InferenceOracleContract.Request ToContract(OnChainRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new InferenceOracleContract.Request(
            Address.Parse(request.Requester),
            request.Fee,
            request.ModelId,
            request.InputHash,
            new BigInteger(request.Deadline),
            new BigInteger(request.CallbackGasLimit),
            new BigInteger(request.OutputBytes),
            new BigInteger(request.Redundancy));
    }
}
