using System.Security.Cryptography;
using System.Text;

namespace MasStack.Notifications.Features.Hub;

/// <summary>Standard Webhooks signing: <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, the key the base64 after <c>whsec_</c>.</summary>
public static class WebhookSignature
{
    public const string Prefix = "whsec_";

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key of a <c>whsec_</c> secret, or null when it is not one (24 to 64 bytes).</summary>
    public static byte[]? Key(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var key = new byte[64];
        return Convert.TryFromBase64String(secret[Prefix.Length..], key, out var length) && length is >= 24 and <= 64 ? key[..length] : null;
    }

    public static string Sign(string secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret)!, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}
