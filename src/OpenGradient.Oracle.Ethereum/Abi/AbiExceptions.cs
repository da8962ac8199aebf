namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>
/// ABI data that cannot be decoded: truncated, an offset or length out of range, dirty padding, a value out of its
/// type's range, a bool other than 0/1, invalid UTF-8. Raised for bad input from the chain; never a caller bug.
/// </summary>
public sealed class AbiDecodingException : Exception
{
    internal AbiDecodingException(string path, string reason, Exception? inner)
        : base((path.Length == 0 ? "" : $"at {path}: ") + reason, inner)
    {
        Path = path;
        Reason = reason;
    }

    public AbiDecodingException(string message) : base(message) => Reason = message;

    /// <summary>Where in the value the data went wrong, e.g. <c>[1][0]</c> (item 0 of argument 1); empty at the top.</summary>
    public string Path { get; } = "";

    internal string Reason { get; } = "";

    internal AbiDecodingException At(int index) => new("[" + index + "]" + Path, Reason, InnerException);

    public AbiDecodingException(string message, Exception inner) : base(message, inner) => Reason = message;

    public AbiDecodingException() { }
}

/// <summary>A value that does not fit the ABI type it is encoded as: a caller bug, hence an <see cref="ArgumentException"/>.</summary>
public sealed class AbiEncodingException : ArgumentException
{
    internal AbiEncodingException(string path, string reason)
        : base((path.Length == 0 ? "" : $"at {path}: ") + reason)
    {
        Path = path;
        Reason = reason;
    }

    public AbiEncodingException(string message) : base(message) => Reason = message;

    /// <summary>Where in the arguments the bad value is, e.g. <c>[0][1][1]</c>; empty at the top.</summary>
    public string Path { get; } = "";

    internal string Reason { get; } = "";

    internal AbiEncodingException At(int index) => new("[" + index + "]" + Path, Reason);

    public AbiEncodingException(string message, Exception inner) : base(message, inner) => Reason = message;

    public AbiEncodingException() { }
}
