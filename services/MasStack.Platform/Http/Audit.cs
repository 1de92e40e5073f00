using Microsoft.AspNetCore.Http;

namespace MasStack.Platform.Http;

/// <summary>
/// Who made a write and why, for the audit trails conventions.md asks for: the client as the request names it
/// (<c>X-Client-Id</c>, until the gateway authenticates clients and sets it from the token), and the optional
/// <c>X-Reason</c>.
/// </summary>
public sealed record Actor(string ClientId, string? Reason)
{
    public const string ClientHeader = "X-Client-Id";
    public const string ReasonHeader = "X-Reason";
    public const string Unknown = "unknown";
    private const int MaxLength = 256;

    public static Actor Of(HttpRequest request)
    {
        var client = request.Headers[ClientHeader].ToString().Trim();
        var reason = request.Headers[ReasonHeader].ToString().Trim();
        return new Actor(
            client.Length == 0 ? Unknown : Truncate(client),
            reason.Length == 0 ? null : Truncate(reason));
    }

    private static string Truncate(string value) => value.Length <= MaxLength ? value : value[..MaxLength];
}
