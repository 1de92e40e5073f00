using System.Security.Claims;
using System.Text.Json;
using MasStack.Gateway;

namespace MasStack.UnitTests.Security;

public class RouteAccessTests
{
    /// <summary>The gateway's real route table (appsettings.json, with its comments).</summary>
    private static IEnumerable<(string Id, Dictionary<string, string> Metadata)> GatewayRoutes()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "gateway", "appsettings.json"))) directory = directory.Parent!;
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, "gateway", "appsettings.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (var route in document.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject())
            yield return (route.Name, route.Value.TryGetProperty("Metadata", out var metadata)
                ? metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : []);
    }

    [Fact]
    public void Every_api_route_needs_a_scope_and_only_the_reference_and_the_token_endpoint_are_open()
    {
        foreach (var (id, metadata) in GatewayRoutes())
        {
            var access = RouteAccess.For(id, metadata);
            var path = id;
            if (metadata["RouteGroup"] is "reference" or "identity")
                Assert.Equal(RouteAccess.Anonymous, access.AuthorizationPolicy);
            else
            {
                Assert.StartsWith(RouteAccess.ScopePolicyPrefix, access.AuthorizationPolicy);
                Assert.Contains(metadata["RouteGroup"], RouteAccess.AcceptedBy(access.AuthorizationPolicy));
                Assert.Equal(RouteAccess.PerClientLimit, access.RateLimiterPolicy);
            }
        }
        Assert.Equal(RouteAccess.TokenEndpointLimit, RouteAccess.For("identity-token", GatewayRoutes().Single(r => r.Id == "identity-token").Metadata).RateLimiterPolicy);
    }

    [Fact]
    public void The_partners_scope_opens_the_SIM_swap_check_and_nothing_else()
    {
        var opened = GatewayRoutes().Where(route => route.Metadata["RouteGroup"] is not ("reference" or "identity"))
            .Where(route => RouteAccess.AcceptedBy(RouteAccess.For(route.Id, route.Metadata).AuthorizationPolicy).Contains("sim-swap-check"))
            .Select(route => route.Id);
        Assert.Equal(["sim-swap"], opened);
    }

    [Fact]
    public void A_route_without_a_group_is_refused_not_opened()
    {
        Assert.Throws<InvalidOperationException>(() => RouteAccess.For("new-route", new Dictionary<string, string>()));
        Assert.Throws<InvalidOperationException>(() => RouteAccess.For("new-route", null));
    }

    [Fact]
    public void Scopes_and_client_are_read_from_the_token_claims()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", "sales customers"), new Claim("scope", "billing"), new Claim("sub", "till")], "Bearer"));
        Assert.Equal(["billing", "customers", "sales"], RouteAccess.ScopesOf(user).Order());
        Assert.Equal("till", RouteAccess.ClientOf(user));
        Assert.Null(RouteAccess.ClientOf(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "till")])))); // not authenticated
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.01, 2)]
    [InlineData(9.5, 10)]
    public void Retry_After_is_whole_seconds_and_never_zero(double seconds, int expected) =>
        Assert.Equal(expected, RateLimitSettings.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void A_client_without_limits_of_its_own_has_the_default()
    {
        var settings = new RateLimitSettings { Clients = { ["burst"] = new TokenBucketSettings { TokenLimit = 5 } } };
        Assert.Equal(5, settings.For("burst").TokenLimit);
        Assert.Equal(settings.Default.TokenLimit, settings.For("till").TokenLimit);
    }
}
