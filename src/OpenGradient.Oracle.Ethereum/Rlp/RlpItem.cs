namespace OpenGradient.Oracle.Ethereum.Rlp;

/// <summary>A decoded RLP tree: either a byte string or a list of items. For generic use; hot paths use <see cref="RlpReader"/>.</summary>
public abstract record RlpItem
{
    private const int MaxDepth = 1024;

    public static RlpItem Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new RlpReader(encoded);
        var item = Read(ref reader, 0);
        reader.EnsureEnd();
        return item;
    }

    public byte[] Encode()
    {
        var output = new byte[EncodedLength];
        Write(output);
        return output;
    }

    internal abstract int EncodedLength { get; }

    internal abstract int Write(Span<byte> destination);

    private static RlpItem Read(ref RlpReader reader, int depth)
    {
        if (!reader.NextIsList) return new RlpString(reader.ReadBytes().ToArray());
        if (depth >= MaxDepth) throw new RlpException($"lists nested deeper than {MaxDepth}", 0);
        var inner = reader.ReadList();
        var items = new List<RlpItem>();
        while (inner.HasMore) items.Add(Read(ref inner, depth + 1));
        return new RlpList(items);
    }
}

public sealed record RlpString(byte[] Value) : RlpItem
{
    internal override int EncodedLength => RlpWriter.GetBytesLength(Value);

    internal override int Write(Span<byte> destination) => RlpWriter.WriteBytes(destination, Value);

    public bool Equals(RlpString? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Value);
        return h.ToHashCode();
    }
}

public sealed record RlpList(IReadOnlyList<RlpItem> Items) : RlpItem
{
    private int PayloadLength => Items.Sum(i => i.EncodedLength);

    internal override int EncodedLength => RlpWriter.GetListLength(PayloadLength);

    internal override int Write(Span<byte> destination)
    {
        var at = RlpWriter.WriteListHeader(destination, PayloadLength);
        foreach (var item in Items) at += item.Write(destination[at..]);
        return at;
    }

    public bool Equals(RlpList? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;
}
