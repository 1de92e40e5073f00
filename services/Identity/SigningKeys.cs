using System.Security.Cryptography;
using Dapper;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace MasStack.Identity;

/// <summary>
/// The RSA key access tokens are signed with, shared by every instance through the database: the first instance on an
/// empty database makes it, the others (and later starts) read it. Without this, each instance would sign with a key of
/// its own and a token would verify only against the key set of the instance that issued it.
/// </summary>
public static class SigningKeys
{
    public static async Task<RsaSecurityKey> LoadOrCreateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using (var fresh = RSA.Create(2048))
        {
            // Inserted only if the slot is empty: two instances starting together both keep the one that came first.
            await connection.ExecuteAsync(
                "INSERT INTO signing_keys (slot, kid, rsa_pkcs8) VALUES ('current', @Kid, @Key) ON CONFLICT (slot) DO NOTHING",
                new { Kid = Guid.NewGuid().ToString("N"), Key = fresh.ExportPkcs8PrivateKey() });
        }
        var (kid, pkcs8) = await connection.QuerySingleAsync<(string Kid, byte[] Key)>(
            "SELECT kid, rsa_pkcs8 FROM signing_keys WHERE slot = 'current'");
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }
}
