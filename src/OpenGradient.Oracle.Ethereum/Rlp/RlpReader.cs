using System.Numerics;

namespace OpenGradient.Oracle.Ethereum.Rlp;

/// <summary>
/// A forward-only, allocation-free reader over canonical RLP. Every read checks bounds and minimality, so malformed
/// input is an <see cref="RlpException"/>, never an out-of-range index or a silently different value.
/// </summary>
public ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _base; // offset of _data in the outermost input, for error messages
    private int _position;

    public RlpReader(ReadOnlySpan<byte> data) : this(data, 0) { }

    private RlpReader(ReadOnlySpan<byte> data, int baseOffset)
    {
        _data = data;
        _base = baseOffset;
        _position = 0;
    }

    public readonly bool HasMore => _position < _data.Length;

    /// <summary>True if the next item is a list.</summary>
    public readonly bool NextIsList
    {
        get
        {
            if (!HasMore) throw new RlpException("expected an item, input ended", _base + _position);
            return _data[_position] >= 0xc0;
        }
    }

    /// <summary>Reads a byte string item and returns its payload.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var (isList, offset, length) = ReadHeader();
        if (isList) throw new RlpException("expected a byte string, found a list", _base + offset);
        return _data.Slice(offset, length);
    }

    /// <summary>Reads a list item and returns a reader over its payload.</summary>
    public RlpReader ReadList()
    {
        var (isList, offset, length) = ReadHeader();
        if (!isList) throw new RlpException("expected a list, found a byte string", _base + offset);
        return new RlpReader(_data.Slice(offset, length), _base + offset);
    }

    /// <summary>Reads the next item whole (header included), for hashing or re-embedding without re-encoding.</summary>
    public ReadOnlySpan<byte> ReadRaw()
    {
        var start = _position;
        ReadHeader();
        return _data[start.._position];
    }

    /// <summary>An unsigned integer: big-endian, no leading zero byte (zero is the empty string).</summary>
    public BigInteger ReadBigInteger(int maxBytes = 32)
    {
        var start = _base + _position;
        var bytes = ReadBytes();
        if (bytes.Length > maxBytes) throw new RlpException($"integer has {bytes.Length} bytes, more than {maxBytes}", start);
        if (bytes.Length > 0 && bytes[0] == 0) throw new RlpException("integer has a leading zero byte", start);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public ulong ReadUInt64()
    {
        var value = ReadBigInteger(8);
        return (ulong)value;
    }

    /// <summary>Throws unless every byte was consumed.</summary>
    public readonly void EnsureEnd()
    {
        if (HasMore) throw new RlpException($"{_data.Length - _position} unexpected trailing bytes", _base + _position);
    }

    private (bool IsList, int Offset, int Length) ReadHeader()
    {
        var at = _position;
        if (at >= _data.Length) throw new RlpException("expected an item, input ended", _base + at);
        var prefix = _data[at];
        bool isList;
        int offset, length;
        if (prefix < 0x80)
        {
            isList = false;
            offset = at;
            length = 1;
        }
        else if (prefix <= 0xb7)
        {
            isList = false;
            offset = at + 1;
            length = prefix - 0x80;
            if (length == 1)
            {
                if (offset >= _data.Length) throw new RlpException("byte string truncated", _base + at);
                if (_data[offset] < 0x80)
                    throw new RlpException("a single byte below 0x80 must be encoded as itself", _base + at);
            }
        }
        else if (prefix <= 0xbf)
        {
            isList = false;
            (offset, length) = ReadLongLength(at, prefix - 0xb7);
        }
        else if (prefix <= 0xf7)
        {
            isList = true;
            offset = at + 1;
            length = prefix - 0xc0;
        }
        else
        {
            isList = true;
            (offset, length) = ReadLongLength(at, prefix - 0xf7);
        }
        if (length > _data.Length - offset)
            throw new RlpException($"item declares {length} bytes but only {Math.Max(0, _data.Length - offset)} remain", _base + at);
        _position = offset + length;
        return (isList, offset, length);
    }

    private readonly (int Offset, int Length) ReadLongLength(int at, int lengthOfLength)
    {
        if (lengthOfLength > 4) throw new RlpException($"length of {lengthOfLength} bytes is beyond any supported input", _base + at);
        if (lengthOfLength > _data.Length - at - 1) throw new RlpException("length prefix truncated", _base + at);
        var lengthBytes = _data.Slice(at + 1, lengthOfLength);
        if (lengthBytes[0] == 0) throw new RlpException("length prefix has a leading zero byte", _base + at);
        long length = 0;
        foreach (var b in lengthBytes) length = (length << 8) | b;
        if (length <= 55) throw new RlpException($"length {length} must use the short form", _base + at);
        if (length > int.MaxValue) throw new RlpException($"length {length} is too large", _base + at);
        return (at + 1 + lengthOfLength, (int)length);
    }
}
