using System.Text.Json;
using OpenGradient.Oracle.Ethereum.Abi;

namespace OpenGradient.Oracle.Ethereum.Rpc;

/// <summary>
/// The node could not be reached or did not answer properly: connection refused, timeout, HTTP 5xx/429, a body that
/// is not JSON-RPC. <see cref="IsTransient"/> says whether retrying the same request may succeed.
/// </summary>
public sealed class RpcTransportException : Exception
{
    public RpcTransportException(string message, bool isTransient, Exception? inner = null, int? httpStatus = null)
        : base(message, inner)
    {
        IsTransient = isTransient;
        HttpStatus = httpStatus;
    }

    public RpcTransportException() : this("RPC transport failure", true) { }

    public RpcTransportException(string message) : this(message, true) { }

    public RpcTransportException(string message, Exception inner) : this(message, true, inner) { }

    public bool IsTransient { get; }

    public int? HttpStatus { get; }
}

/// <summary>The node answered with a JSON-RPC error object.</summary>
public class RpcErrorException : Exception
{
    public RpcErrorException(string method, long code, string rpcMessage, JsonElement? data)
        : base($"{method} failed: {rpcMessage} (code {code})")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        ErrorData = data;
    }

    public RpcErrorException() : this("", 0, "", null) { }

    public RpcErrorException(string message) : this("", 0, message, null) { }

    public RpcErrorException(string message, Exception inner) : base(message, inner)
    {
        Method = "";
        RpcMessage = message;
    }

    public string Method { get; }
    public long Code { get; }
    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> member as the node sent it, if any.</summary>
    public JsonElement? ErrorData { get; }
}

/// <summary>
/// Execution reverted (eth_call, eth_estimateGas, or a devnet eth_sendTransaction). <see cref="RevertData"/> is the
/// raw revert payload (possibly empty); <see cref="Decode"/> names it against a contract ABI.
/// </summary>
public sealed class ContractRevertException : RpcErrorException
{
    public ContractRevertException(string method, long code, string rpcMessage, JsonElement? data, byte[] revertData)
        : base(method, code, rpcMessage, data)
    {
        RevertData = revertData;
    }

    public ContractRevertException() : this("", 3, "execution reverted", null, []) { }

    public ContractRevertException(string message) : this("", 3, message, null, []) { }

    public ContractRevertException(string message, Exception inner) : base(message, inner) => RevertData = [];

    public byte[] RevertData { get; }

    /// <summary>Decodes <see cref="RevertData"/>: a custom error of <paramref name="abi"/>, Error(string), Panic(uint256), or unknown.</summary>
    public RevertReason Decode(ContractAbi? abi = null) =>
        abi is null ? ContractAbi.DecodeBuiltinRevert(RevertData) : abi.DecodeRevert(RevertData);
}
