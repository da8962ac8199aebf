using System.Numerics;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rlp;

namespace OpenGradient.Oracle.Ethereum.Transactions;

/// <summary>A raw transaction that decodes as RLP but not as a transaction: wrong field count, unknown type, bad v.</summary>
public sealed class TransactionFormatException(string message) : FormatException(message);

/// <summary>One EIP-2930 access-list entry. Storage keys are 32 bytes each.</summary>
public sealed record AccessListEntry(Address Address, IReadOnlyList<byte[]> StorageKeys);

/// <summary>
/// An unsigned transaction. Quantities are non-negative and at most 256 bits (the nonce at most 64, EIP-2681).
/// <see cref="To"/> null means contract creation. Records compare <see cref="Data"/> by reference.
/// </summary>
public abstract record Transaction
{
    public required BigInteger Nonce { get; init; }
    public required BigInteger Gas { get; init; }
    public Address? To { get; init; }
    public BigInteger Value { get; init; }
    public byte[] Data { get; init; } = [];

    /// <summary>The hash the sender signs.</summary>
    public byte[] SigningHash() => Keccak256.Hash(EncodeUnsigned());

    /// <summary>The unsigned serialisation (what <see cref="SigningHash"/> hashes).</summary>
    public abstract byte[] EncodeUnsigned();

    /// <summary>The signed serialisation sent with eth_sendRawTransaction.</summary>
    public abstract byte[] EncodeSigned(Signature signature);

    public SignedTransaction Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Validate();
        var signature = key.Sign(SigningHash());
        return new SignedTransaction(this, signature, EncodeSigned(signature), key.Address);
    }

    /// <summary>Rules a node would reject the transaction for, checked before signing (not when decoding).</summary>
    protected virtual void Validate()
    {
    }

    private protected static byte[] Quantity(BigInteger value, string name, int maxBytes = 32)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative");
        var bytes = RlpWriter.IntegerBytes(value);
        if (bytes.Length > maxBytes) throw new ArgumentOutOfRangeException(name, value, $"{name} exceeds {maxBytes * 8} bits");
        return RlpWriter.EncodeBytes(bytes);
    }

    private protected List<byte[]> CommonHead(BigInteger? chainId, params BigInteger[] fees)
    {
        var items = new List<byte[]>(12);
        if (chainId is { } id) items.Add(Quantity(id, "chainId"));
        items.Add(Quantity(Nonce, nameof(Nonce), 8));
        foreach (var fee in fees) items.Add(Quantity(fee, "fee"));
        items.Add(Quantity(Gas, nameof(Gas)));
        items.Add(RlpWriter.EncodeBytes(To is { } to ? to.Bytes : []));
        items.Add(Quantity(Value, nameof(Value)));
        items.Add(RlpWriter.EncodeBytes(Data ?? []));
        return items;
    }

    private protected static byte[] SignatureInteger(ReadOnlySpan<byte> word) =>
        RlpWriter.EncodeBytes(word.TrimStart((byte)0));
}

/// <summary>A type-0 transaction; with <see cref="ChainId"/> set it is replay-protected per EIP-155.</summary>
public sealed record LegacyTransaction : Transaction
{
    public required BigInteger GasPrice { get; init; }

    /// <summary>Null signs the pre-EIP-155 form (v = 27/28), which any chain accepts; avoid it.</summary>
    public BigInteger? ChainId { get; init; }

    public override byte[] EncodeUnsigned()
    {
        var items = CommonHead(null, GasPrice);
        if (ChainId is { } id)
        {
            items.Add(Quantity(id, nameof(ChainId)));
            items.Add(RlpWriter.EncodeBytes([]));
            items.Add(RlpWriter.EncodeBytes([]));
        }
        return RlpWriter.EncodeList(items);
    }

    public override byte[] EncodeSigned(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var items = CommonHead(null, GasPrice);
        var v = ChainId is { } id ? id * 2 + 35 + signature.YParity : 27 + signature.YParity;
        items.Add(Quantity(v, "v"));
        items.Add(SignatureInteger(signature.R));
        items.Add(SignatureInteger(signature.S));
        return RlpWriter.EncodeList(items);
    }
}

/// <summary>An EIP-1559 (type 2) transaction.</summary>
public sealed record Eip1559Transaction : Transaction
{
    public const byte TypeByte = 0x02;

    public required BigInteger ChainId { get; init; }
    public required BigInteger MaxPriorityFeePerGas { get; init; }
    public required BigInteger MaxFeePerGas { get; init; }
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override byte[] EncodeUnsigned() => Typed(Fields());

    protected override void Validate()
    {
        if (MaxPriorityFeePerGas > MaxFeePerGas)
            throw new ArgumentException($"maxPriorityFeePerGas ({MaxPriorityFeePerGas}) exceeds maxFeePerGas ({MaxFeePerGas})");
    }

    public override byte[] EncodeSigned(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var items = Fields();
        items.Add(Quantity(signature.YParity, "yParity"));
        items.Add(SignatureInteger(signature.R));
        items.Add(SignatureInteger(signature.S));
        return Typed(items);
    }

    private List<byte[]> Fields()
    {
        var items = CommonHead(ChainId, MaxPriorityFeePerGas, MaxFeePerGas);
        var entries = new List<byte[]>(AccessList.Count);
        foreach (var entry in AccessList)
        {
            var keys = new List<byte[]>(entry.StorageKeys.Count);
            foreach (var key in entry.StorageKeys)
            {
                if (key.Length != 32) throw new ArgumentException($"an access-list storage key is 32 bytes, got {key.Length}", nameof(AccessList));
                keys.Add(RlpWriter.EncodeBytes(key));
            }
            entries.Add(RlpWriter.EncodeList([RlpWriter.EncodeBytes(entry.Address.Bytes), RlpWriter.EncodeList(keys)]));
        }
        items.Add(RlpWriter.EncodeList(entries));
        return items;
    }

    private static byte[] Typed(List<byte[]> items)
    {
        var list = RlpWriter.EncodeList(items);
        var output = new byte[1 + list.Length];
        output[0] = TypeByte;
        list.CopyTo(output, 1);
        return output;
    }
}
