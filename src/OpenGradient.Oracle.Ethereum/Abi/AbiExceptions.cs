namespace OpenGradient.Oracle.Ethereum.Abi;

/// <summary>
/// ABI data that cannot be decoded: truncated, an offset or length out of range, dirty padding, a value out of its
/// type's range, a bool other than 0/1, invalid UTF-8. Raised for bad input from the chain; never a caller bug.
/// </summary>
public sealed class AbiDecodingException : Exception
{
    public AbiDecodingException(string message) : base(message) { }

    public AbiDecodingException(string message, Exception inner) : base(message, inner) { }

    public AbiDecodingException() { }
}

/// <summary>A value that does not fit the ABI type it is encoded as: a caller bug, hence an <see cref="ArgumentException"/>.</summary>
public sealed class AbiEncodingException : ArgumentException
{
    public AbiEncodingException(string message) : base(message) { }

    public AbiEncodingException(string message, Exception inner) : base(message, inner) { }

    public AbiEncodingException() { }
}
