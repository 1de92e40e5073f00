using System.Security.Cryptography;
using System.Text;

namespace MasStack.Identity;

/// <summary>A client of the public API: its id, its secret and the scopes it may be granted.</summary>
public sealed record ApiClient(string Id, string Secret, IReadOnlySet<string> Scopes);

/// <summary>
/// The clients, from configuration (<c>Identity:Clients:{id}:Scopes</c>, space-separated, and <c>:Secret</c>, given by
/// the AppHost's secret parameters or a Kubernetes Secret, never written in the repository). A client without a secret
/// cannot authenticate at all.
/// </summary>
public sealed class ClientRegistry
{
    public const string Section = "Identity:Clients";
    private readonly Dictionary<string, ApiClient> _clients;

    public ClientRegistry(IEnumerable<ApiClient> clients) =>
        _clients = clients.ToDictionary(client => client.Id, StringComparer.Ordinal);

    public static ClientRegistry From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).GetChildren()
            .Where(client => !string.IsNullOrEmpty(client["Secret"]))
            .Select(client => new ApiClient(client.Key, client["Secret"]!, ParseScopes(client["Scopes"]))));

    public IReadOnlyCollection<ApiClient> All => _clients.Values;

    /// <summary>Every scope some client may hold: the scopes the server accepts in a request.</summary>
    public IEnumerable<string> AllScopes => _clients.Values.SelectMany(client => client.Scopes).Distinct(StringComparer.Ordinal);

    public static IReadOnlySet<string> ParseScopes(string? scopes) =>
        (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>The client whose id and secret these are, or null; the secret compared in constant time.</summary>
    public ApiClient? Authenticate(string? clientId, string? secret)
    {
        if (string.IsNullOrEmpty(clientId) || secret is null || !_clients.TryGetValue(clientId, out var client)) return null;
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(client.Secret));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        return CryptographicOperations.FixedTimeEquals(expected, given) ? client : null;
    }

    /// <summary>
    /// The scopes a token gets: all the client's when it asks for none, else what it asks for, provided it may hold every
    /// one of them (null: it asked for a scope it may not have, which is <c>invalid_scope</c>).
    /// </summary>
    public static IReadOnlySet<string>? Grant(ApiClient client, IEnumerable<string> requested)
    {
        var asked = requested.ToHashSet(StringComparer.Ordinal);
        if (asked.Count == 0) return client.Scopes;
        return asked.IsSubsetOf(client.Scopes) ? asked : null;
    }
}
