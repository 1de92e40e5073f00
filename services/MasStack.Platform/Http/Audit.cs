using Microsoft.AspNetCore.Http;

namespace MasStack.Platform.Http;

/// <summary>
/// Who made a write and why, for the audit trails conventions.md asks for: the authenticated client (<c>X-Client-Id</c>,
/// which the gateway sets from the caller's token after dropping whatever the caller sent) and its scopes
/// (<c>X-Client-Scopes</c>, likewise), and the optional <c>X-Reason</c>. Services are reachable only through the gateway.
/// </summary>
public sealed record Actor(string ClientId, string? Reason)
{
    public const string ClientHeader = "X-Client-Id";
    public const string ScopesHeader = "X-Client-Scopes";

    /// <summary>The scopes the client's token holds (space-separated in <c>X-Client-Scopes</c>); none when reached without the gateway.</summary>
    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>();

    public bool HasScope(string scope) => Scopes.Contains(scope);
    public const string ReasonHeader = "X-Reason";
    public const string Unknown = "unknown";
    private const int MaxLength = 256;

    public static Actor Of(HttpRequest request)
    {
        var client = request.Headers[ClientHeader].ToString().Trim();
        var reason = request.Headers[ReasonHeader].ToString().Trim();
        return new Actor(
            client.Length == 0 ? Unknown : Truncate(client),
            reason.Length == 0 ? null : Truncate(reason))
        {
            Scopes = request.Headers[ScopesHeader].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
        };
    }

    private static string Truncate(string value) => value.Length <= MaxLength ? value : value[..MaxLength];
}
