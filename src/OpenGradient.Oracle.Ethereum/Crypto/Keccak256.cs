using Org.BouncyCastle.Crypto.Digests;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256).</summary>
public static class Keccak256
{
    public const int HashLength = 32;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[HashLength];
        Hash(data, output);
        return output;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashLength)
            throw new ArgumentException($"Destination must hold {HashLength} bytes.", nameof(destination));
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(destination);
    }

    /// <summary>Hashes a stream in chunks, so a model file is never held twice in memory.</summary>
    public static byte[] Hash(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var digest = new KeccakDigest(256);
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            digest.BlockUpdate(buffer, 0, read);
        var output = new byte[HashLength];
        digest.DoFinal(output, 0);
        return output;
    }
}
