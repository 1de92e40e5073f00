using System.Security.Claims;

namespace MasStack.Gateway;

/// <summary>
/// Who may call a route, from its <c>Metadata.RouteGroup</c> (and optional <c>Metadata.Scopes</c>, further scopes that
/// also open it): the API reference and Identity's endpoints are open; every other group needs a token holding a scope
/// named as the group, or one of the route's extra scopes (the partner's <c>sim-swap-check</c> opens the SIM-swap check
/// alone). A route without a group is a configuration error: nothing is open by omission.
/// </summary>
public static class RouteAccess
{
    public const string ScopePolicyPrefix = "scopes:";
    /// <summary>YARP's own name for "no authorization".</summary>
    public const string Anonymous = "anonymous";
    public const string PerClientLimit = "per-client";
    public const string TokenEndpointLimit = "token-endpoint";

    /// <summary>Groups reached without a token.</summary>
    public static readonly IReadOnlySet<string> OpenGroups = new HashSet<string>(StringComparer.Ordinal) { "reference", "identity" };

    public sealed record Access(string AuthorizationPolicy, string? RateLimiterPolicy);

    public static Access For(string routeId, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue("RouteGroup", out var group) || string.IsNullOrWhiteSpace(group))
            throw new InvalidOperationException($"Route {routeId} has no Metadata.RouteGroup: every route must say who may call it.");
        if (group == "identity") return new Access(Anonymous, TokenEndpointLimit);
        if (OpenGroups.Contains(group)) return new Access(Anonymous, null);
        var scopes = new[] { group }.Concat(ScopesOf(metadata.GetValueOrDefault("Scopes"))).Distinct(StringComparer.Ordinal);
        return new Access(ScopePolicyPrefix + string.Join(' ', scopes), PerClientLimit);
    }

    /// <summary>The scopes a policy name accepts (any one of them is enough).</summary>
    public static IReadOnlySet<string> AcceptedBy(string policyName) =>
        ScopesOf(policyName[ScopePolicyPrefix.Length..]).ToHashSet(StringComparer.Ordinal);

    /// <summary>A token's scopes: one space-separated <c>scope</c> claim (RFC 9068), or several.</summary>
    public static IReadOnlySet<string> ScopesOf(ClaimsPrincipal user) =>
        user.FindAll("scope").SelectMany(claim => ScopesOf(claim.Value)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The client a token was issued to: <c>client_id</c> (RFC 9068), else its subject.</summary>
    public static string? ClientOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value : null;

    private static IEnumerable<string> ScopesOf(string? value) =>
        (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
