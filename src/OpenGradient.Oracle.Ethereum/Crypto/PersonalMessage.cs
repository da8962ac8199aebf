using System.Globalization;
using System.Text;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Crypto;

/// <summary>EIP-191 version 0x45 ("personal_sign"): keccak256("\x19Ethereum Signed Message:\n" + len + message).</summary>
public static class PersonalMessage
{
    public static byte[] Hash(ReadOnlySpan<byte> message)
    {
        var prefix = Encoding.ASCII.GetBytes("\x19" + "Ethereum Signed Message:\n" + message.Length.ToString(CultureInfo.InvariantCulture));
        var buffer = new byte[prefix.Length + message.Length];
        prefix.CopyTo(buffer, 0);
        message.CopyTo(buffer.AsSpan(prefix.Length));
        return Keccak256.Hash(buffer);
    }

    /// <summary>Hashes the UTF-8 bytes of <paramref name="message"/>.</summary>
    public static byte[] Hash(string message) => Hash(Encoding.UTF8.GetBytes(message));

    public static Signature Sign(PrivateKey key, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(Hash(message));
    }

    public static Address Recover(ReadOnlySpan<byte> message, Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Recover(Hash(message));
    }
}
