using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Security;

/// <summary>
/// Access tokens made by hand, to show what the gateway refuses: signed with Identity's own key (read from its database,
/// as only someone with the database could) but expired, for another audience or from another issuer; signed with a
/// key of our own; or not signed at all. A well-formed one made the same way is accepted, so each refusal is for its reason.
/// </summary>
public sealed class Tokens
{
    public const string Issuer = "http://identity/";
    public const string Audience = "masstack-api";

    private readonly RSA _key;
    private readonly string _kid;

    private Tokens(RSA key, string kid) => (_key, _kid) = (key, kid);

    public static async Task<Tokens> OfIdentityAsync(SuiteFixture suite)
    {
        await using var db = await suite.OpenDatabaseAsync(ResourceNames.Identity);
        var (kid, pkcs8) = await db.QuerySingleAsync<(string Kid, byte[] Key)>("SELECT kid, rsa_pkcs8 FROM signing_keys WHERE slot = 'current'");
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new Tokens(rsa, kid);
    }

    public string Make(string client = "till", string scope = "sales", string issuer = Issuer, string audience = Audience,
        DateTimeOffset? expires = null, string alg = "RS256", RSA? signWith = null)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = expires ?? now.AddMinutes(5);
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = _kid };
        var payload = new JsonObject
        {
            ["iss"] = issuer, ["aud"] = audience, ["sub"] = client, ["client_id"] = client, ["scope"] = scope,
            ["iat"] = exp.AddMinutes(-10).ToUnixTimeSeconds(), ["nbf"] = exp.AddMinutes(-10).ToUnixTimeSeconds(), ["exp"] = exp.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        var signed = $"{Base64Url(header.ToJsonString())}.{Base64Url(payload.ToJsonString())}";
        if (alg == "none") return signed + ".";
        var signature = (signWith ?? _key).SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    /// <summary>The claims of a token, unchecked.</summary>
    public static JsonObject PayloadOf(string token) =>
        JsonNode.Parse(Convert.FromBase64String(Pad(token.Split('.')[1].Replace('-', '+').Replace('_', '/'))))!.AsObject();

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');

    private static string Base64Url(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
