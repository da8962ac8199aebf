using System.Numerics;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rlp;

namespace OpenGradient.Oracle.Ethereum.Transactions;

/// <summary>A signed transaction: its raw bytes, hash and the sender recovered from (or known at) signing.</summary>
public sealed class SignedTransaction
{
    internal SignedTransaction(Transaction transaction, Signature signature, byte[] raw, Address from)
    {
        Transaction = transaction;
        Signature = signature;
        _raw = raw;
        From = from;
        Hash = Keccak256.Hash(raw);
    }

    private readonly byte[] _raw;

    public Transaction Transaction { get; }
    public Signature Signature { get; }
    public Address From { get; }

    /// <summary>keccak256 of the raw bytes, the id JSON-RPC reports.</summary>
    public byte[] Hash { get; }

    public ReadOnlySpan<byte> Raw => _raw;

    public string RawHex => Hex.Encode(_raw);

    /// <summary>
    /// Decodes a raw signed legacy or EIP-1559 transaction and recovers its sender. Malformed input is an
    /// <see cref="RlpException"/>, <see cref="TransactionFormatException"/> or <see cref="SignatureFormatException"/>.
    /// </summary>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty) throw new TransactionFormatException("empty transaction");
        Transaction tx;
        Signature signature;
        if (raw[0] >= 0xc0) (tx, signature) = DecodeLegacy(raw);
        else if (raw[0] == Eip1559Transaction.TypeByte) (tx, signature) = Decode1559(raw[1..]);
        else throw new TransactionFormatException($"unsupported transaction type 0x{raw[0]:x2}");
        var from = signature.Recover(tx.SigningHash());
        return new SignedTransaction(tx, signature, raw.ToArray(), from);
    }

    private static (Transaction, Signature) DecodeLegacy(ReadOnlySpan<byte> raw)
    {
        var outer = new RlpReader(raw);
        var r = outer.ReadList();
        outer.EnsureEnd();
        var nonce = r.ReadBigInteger(8);
        var gasPrice = r.ReadBigInteger();
        var gas = r.ReadBigInteger();
        var to = ReadTo(ref r);
        var value = r.ReadBigInteger();
        var data = r.ReadBytes().ToArray();
        var v = r.ReadBigInteger();
        var signatureR = r.ReadBigInteger();
        var signatureS = r.ReadBigInteger();
        r.EnsureEnd();
        BigInteger? chainId;
        byte parity;
        if (v == 27 || v == 28)
        {
            chainId = null;
            parity = (byte)(v - 27);
        }
        else if (v >= 37)
        {
            chainId = (v - 35) / 2;
            parity = (byte)((v - 35) % 2);
        }
        else throw new TransactionFormatException($"legacy v must be 27, 28 or chainId*2+35/36, got {v}");
        var tx = new LegacyTransaction { Nonce = nonce, GasPrice = gasPrice, Gas = gas, To = to, Value = value, Data = data, ChainId = chainId };
        return (tx, MakeSignature(signatureR, signatureS, parity));
    }

    private static (Transaction, Signature) Decode1559(ReadOnlySpan<byte> payload)
    {
        var outer = new RlpReader(payload);
        var r = outer.ReadList();
        outer.EnsureEnd();
        var chainId = r.ReadBigInteger();
        var nonce = r.ReadBigInteger(8);
        var tip = r.ReadBigInteger();
        var maxFee = r.ReadBigInteger();
        var gas = r.ReadBigInteger();
        var to = ReadTo(ref r);
        var value = r.ReadBigInteger();
        var data = r.ReadBytes().ToArray();
        var accessList = new List<AccessListEntry>();
        var list = r.ReadList();
        while (list.HasMore)
        {
            var entry = list.ReadList();
            var address = entry.ReadBytes();
            if (address.Length != Address.Length) throw new TransactionFormatException($"access-list address is {address.Length} bytes, not 20");
            var keys = new List<byte[]>();
            var keyReader = entry.ReadList();
            while (keyReader.HasMore)
            {
                var key = keyReader.ReadBytes();
                if (key.Length != 32) throw new TransactionFormatException($"access-list storage key is {key.Length} bytes, not 32");
                keys.Add(key.ToArray());
            }
            entry.EnsureEnd();
            accessList.Add(new AccessListEntry(new Address(address), keys));
        }
        var yParity = r.ReadBigInteger();
        var signatureR = r.ReadBigInteger();
        var signatureS = r.ReadBigInteger();
        r.EnsureEnd();
        if (yParity > 1) throw new TransactionFormatException($"yParity must be 0 or 1, got {yParity}");
        var tx = new Eip1559Transaction
        {
            ChainId = chainId, Nonce = nonce, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee, Gas = gas,
            To = to, Value = value, Data = data, AccessList = accessList,
        };
        return (tx, MakeSignature(signatureR, signatureS, (byte)yParity));
    }

    private static Address? ReadTo(ref RlpReader r)
    {
        var to = r.ReadBytes();
        return to.Length switch
        {
            0 => null,
            Address.Length => new Address(to),
            _ => throw new TransactionFormatException($"'to' must be empty or 20 bytes, got {to.Length}"),
        };
    }

    private static Signature MakeSignature(BigInteger r, BigInteger s, byte parity)
    {
        Span<byte> rBytes = stackalloc byte[32];
        Span<byte> sBytes = stackalloc byte[32];
        r.TryWriteBytes(rBytes[(32 - r.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        s.TryWriteBytes(sBytes[(32 - s.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        return new Signature(rBytes, sBytes, parity);
    }
}
