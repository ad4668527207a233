using System.Security.Cryptography;
using System.Text;

namespace SessionRoom.Core.Security;

/// <summary>
/// Keys and tokens: 256 random bits, URL-safe, kept only as SHA-256 hashes.
/// A stolen database therefore holds nothing that signs anyone in.
/// </summary>
public static class Secrets
{
    /// <summary>A new secret of 32 random bytes (256 bits) in base64url, 43 characters.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the UTF-8 secret: what the database stores.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares a presented secret with a stored hash in constant time.</summary>
    public static bool Matches(string? presented, string storedHash)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }
        var a = Encoding.ASCII.GetBytes(Hash(presented));
        var b = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
