using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;

namespace MasStack.EndToEndTests.Security;

/// <summary>
/// The gateway lets in only who may come: tokens from Identity (client credentials) through the gateway, every route
/// group closed without its scope, bad tokens refused, the caller known downstream whatever it claims, rate limits and body caps.
/// </summary>
[Collection(SuiteCollection.Name)]
public class SecurityTests(SuiteFixture suite)
{
    /// <summary>One route of each group, a client whose token opens it and one whose token does not.</summary>
    public static readonly (string Group, string Method, string Path, string Allowed, string Refused)[] Groups =
    [
        ("sales", "GET", "/api/v1/catalogue/bundles", "till", "network"),
        ("customers", "GET", "/api/v1/users/1", "webshop", "partner"),
        ("accounts", "GET", "/api/v1/accounts/1", "till", "network"),
        ("subscriptions", "GET", "/api/v1/subscriptions/1", "care", "till"),
        ("billing", "GET", "/api/v1/invoices/1", "care", "till"),
        ("operations", "POST", "/api/v1/billing-runs", "operator", "care"),
        ("barrings", "GET", "/api/v1/subscriptions/1/barrings", "care", "till"),
        ("consumption", "GET", "/api/v1/subscriptions/1/balance", "till", "webshop"),
        ("usage-feed", "POST", "/api/v1/usage-records", "network", "care"),
        ("events", "GET", "/api/v1/hub/1", "care", "till"),
        ("operator", "GET", "/api/v1/operations/signup/parked-messages", "operator", "care"),
    ];

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        // A body no service accepts: a client that may call the route reaches the service and is refused there, changing nothing.
        if (method == "POST") request.Content = new StringContent("not json", Encoding.UTF8, "text/plain");
        return request;
    }

    [Fact]
    public async Task Every_route_group_is_closed_without_a_token_and_without_its_scope_and_open_with_it()
    {
        using var anonymous = suite.CreateAnonymousGatewayClient();
        foreach (var (group, method, path, allowed, refused) in Groups)
        {
            // Without a token: 401, saying how to authenticate
            var none = await anonymous.SendAsync(Request(method, path));
            await none.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.StartsWith("Bearer", none.Headers.WwwAuthenticate.ToString());

            // With a token without the group's scope: 403
            using var refusedClient = suite.CreateGatewayClient(refused);
            var forbidden = await refusedClient.SendAsync(Request(method, path));
            Assert.True(forbidden.StatusCode == HttpStatusCode.Forbidden, $"{group}: {refused} got {(int)forbidden.StatusCode} on {method} {path}");
            await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden);

            // With the scope: through to the service (whatever it then answers about id 1 or the body)
            using var allowedClient = suite.CreateGatewayClient(allowed);
            var through = await allowedClient.SendAsync(Request(method, path));
            Assert.True(through.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                $"{group}: {allowed} got {(int)through.StatusCode} on {method} {path}");
        }

        // The API reference, the discovery document and the key set stay open; /health and /alive too
        foreach (var open in new[] { "/openapi/signup.json", "/.well-known/openid-configuration", "/.well-known/jwks", "/health", "/alive" })
            Assert.True((await anonymous.GetAsync(open)).IsSuccessStatusCode, open);

        // No /internal route is exposed, to anyone
        using var everything = suite.CreateGatewayClient();
        Assert.Equal(HttpStatusCode.NotFound, (await everything.GetAsync("/internal/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await everything.GetAsync("/api/v1/internal/subscriptions/1")).StatusCode);
    }

    [Fact]
    public async Task A_token_comes_from_the_gateway_as_any_OAuth_client_would_get_it_and_names_the_client_and_its_scopes()
    {
        // The discovery document, read through the gateway, names the gateway's own token endpoint and key set
        using var anonymous = suite.CreateAnonymousGatewayClient();
        var discovery = (await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/openid-configuration"))!;
        Assert.Equal(Tokens.Issuer, (string)discovery["issuer"]!);
        Assert.Equal(new Uri(suite.GatewayAddress, "/connect/token"), new Uri((string)discovery["token_endpoint"]!));
        Assert.Contains("client_credentials", discovery["grant_types_supported"]!.AsArray().Select(g => (string)g!));
        var keys = (await anonymous.GetFromJsonAsync<JsonObject>((string)discovery["jwks_uri"]!))!["keys"]!.AsArray();
        Assert.Contains(keys, key => (string)key!["kty"]! == "RSA" && key["d"] is null); // public keys only

        // A client asking with its id and secret gets a short-lived signed JWT with its id, the audience and its scopes
        var response = await suite.RequestTokenAsync("till", suite.SecretOf("till"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a token is not to be stored");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Bearer", (string)body["token_type"]!, ignoreCase: true);
        Assert.InRange((int)body["expires_in"]!, 60, 900);
        var claims = Tokens.PayloadOf((string)body["access_token"]!);
        Assert.Equal("till", (string)(claims["client_id"] ?? claims["sub"])!);
        Assert.Equal(Tokens.Issuer, (string)claims["iss"]!);
        Assert.InRange((long)claims["exp"]! - (long)claims["iat"]!, 60, 900);
        Assert.Equal(["accounts", "consumption", "customers", "sales"], ScopesOf(claims).Order());

        // It may ask for fewer scopes, never for one it does not hold; a wrong secret gets nothing
        var fewer = Tokens.PayloadOf((string)(await (await suite.RequestTokenAsync("till", suite.SecretOf("till"), "sales")).Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!);
        Assert.Equal(["sales"], ScopesOf(fewer));
        var tooMuch = await suite.RequestTokenAsync("partner", suite.SecretOf("partner"), "sales");
        Assert.Equal("invalid_scope", (string)(await tooMuch.Content.ReadFromJsonAsync<JsonObject>())!["error"]!);
        var wrongSecret = await suite.RequestTokenAsync("till", suite.SecretOf("webshop"));
        Assert.Equal("invalid_client", (string)(await wrongSecret.Content.ReadFromJsonAsync<JsonObject>())!["error"]!);
        Assert.False(wrongSecret.IsSuccessStatusCode);
    }

    private static string[] ScopesOf(JsonObject claims) => claims["scope"] switch
    {
        JsonArray many => [.. many.Select(s => (string)s!)],
        var one => ((string)one!).Split(' '),
    };

    [Fact]
    public async Task Expired_wrongly_signed_unsigned_and_foreign_tokens_are_401()
    {
        var tokens = await Tokens.OfIdentityAsync(suite);
        using var anonymous = suite.CreateAnonymousGatewayClient();
        async Task<HttpResponseMessage> CallWith(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/catalogue/bundles");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await anonymous.SendAsync(request);
        }

        // A token made like Identity's, with its key, is accepted: the refusals below are each for their own reason
        Assert.Equal(HttpStatusCode.OK, (await CallWith(tokens.Make())).StatusCode);

        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var bad = new Dictionary<string, string>
        {
            ["expired"] = tokens.Make(expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            ["signed with another key"] = tokens.Make(signWith: otherKey),
            ["alg none"] = tokens.Make(alg: "none"),
            ["another audience"] = tokens.Make(audience: "someone-else"),
            ["another issuer"] = tokens.Make(issuer: "http://evil.example/"),
            ["not a JWT"] = "not-a-token",
        };
        foreach (var (why, token) in bad)
        {
            var response = await CallWith(token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task The_partner_may_only_check_a_SIM_swap_and_who_called_is_known_downstream_whatever_it_claims()
    {
        // Given an active mobile line
        var iccid = LineSetup.NewIccid();
        var sale = await suite.Gateway.SellMobileWithSimAsync(iccid);
        var line = sale.Lines[1].SubscriptionId;
        await suite.ActivateAsync(line);

        // The partner checks its SIM swap, and nothing else
        using var partner = suite.CreateGatewayClient("partner");
        var check = await partner.GetAsync($"/api/v1/subscriptions/{line}/sim-swap");
        Assert.True(check.IsSuccessStatusCode, $"sim-swap check: {(int)check.StatusCode} {await check.Content.ReadAsStringAsync()}");
        await (await partner.GetAsync($"/api/v1/subscriptions/{line}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await partner.GetAsync($"/api/v1/subscriptions/{line}/barrings")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await partner.GetAsync($"/api/v1/users/{sale.UserId}")).AssertProblemAsync(HttpStatusCode.Forbidden);

        // When customer care bars roaming, claiming in X-Client-Id to be someone else
        using var care = suite.CreateGatewayClient("care");
        var etag = (await care.GetAsync($"/api/v1/subscriptions/{line}/barrings")).Headers.ETag!.Tag;
        var set = await care.SendAsync(Patch(line, etag, "customer", spoofedClient: "operator"));
        var body = await set.ReadJsonAsync(HttpStatusCode.OK);

        // Then the barring and its history carry the real client
        Assert.Equal("care", (string)body["activeBarrings"]![0]!["by"]!);
        Assert.Equal("care", (string)body["history"]![0]!["by"]!);

        // And an operator barring needs the operator's scope: care may not set one, the operator may
        await (await care.SendAsync(Patch(line, set.Headers.ETag!.Tag, "operator", spoofedClient: "operator"))).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var @operator = suite.CreateGatewayClient("operator");
        var byOperator = await (await @operator.SendAsync(Patch(line, set.Headers.ETag!.Tag, "operator", spoofedClient: "care"))).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(byOperator["activeBarrings"]!.AsArray(), b => (string)b!["source"]! == "operator" && (string)b["by"]! == "operator");

        // And responses about a person are not to be stored, and carry the security headers and no server banner
        var user = await care.GetAsync($"/api/v1/users/{sale.UserId}");
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        Assert.True(user.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        Assert.Equal("nosniff", user.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", user.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(user.Headers.Contains("Server"));
    }

    private static HttpRequestMessage Patch(long line, string etag, string source, string spoofedClient)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/subscriptions/{line}/barrings")
        {
            Content = JsonContent.Create(new { source, set = new[] { new { type = "roaming", reason = source == "operator" ? "fraud" : "request" } } }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        request.Headers.Add("X-Reason", "Travelling abroad");
        request.Headers.Add("X-Client-Id", spoofedClient);
        request.Headers.Add("X-Client-Scopes", "operator");
        return request;
    }

    [Fact]
    public async Task A_burst_over_the_clients_limit_is_429_with_Retry_After_and_then_recovers()
    {
        using var burst = suite.CreateGatewayClient(SuiteFixture.BurstClient);
        await burst.GetAsync("/api/v1/catalogue/bundles"); // the token fetched first, so that the burst arrives at once
        var answers = await Task.WhenAll(Enumerable.Range(0, SuiteFixture.BurstLimit * 4).Select(_ => burst.GetAsync("/api/v1/catalogue/bundles")));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 60);

        // Another client is not held back by this one's limit
        Assert.Equal(HttpStatusCode.OK, (await suite.Gateway.GetAsync("/api/v1/catalogue/bundles")).StatusCode);

        // And once the bucket refills, the client gets through again
        await Eventually.Until(async () => (await burst.GetAsync("/api/v1/catalogue/bundles")).StatusCode,
            status => status == HttpStatusCode.OK, "the burst client to get through again");
    }

    [Fact]
    public async Task A_body_over_the_cap_is_413_and_usage_batches_may_be_larger()
    {
        // 1 MiB and a byte on a sale
        await (await PostLargeAsync(suite.Gateway, "/api/v1/signups", 1024 * 1024 + 1)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        // A usage batch of 2 MiB reaches the service (which judges its content), one over 8 MiB does not
        using var network = suite.CreateGatewayClient("network");
        var twoMiB = await network.PostAsync("/api/v1/usage-records", new StringContent(new string(' ', 2 * 1024 * 1024), Encoding.UTF8, "application/json"));
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, twoMiB.StatusCode);
        await (await PostLargeAsync(network, "/api/v1/usage-records", 9 * 1024 * 1024)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>
    /// A large body as a careful client sends it, announced with <c>Expect: 100-continue</c>: a refusal arrives before the
    /// body is sent (without it, the gateway answers and closes while the client is still writing).
    /// </summary>
    private static Task<HttpResponseMessage> PostLargeAsync(HttpClient client, string path, int bytes)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(new string(' ', bytes), Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }
}
