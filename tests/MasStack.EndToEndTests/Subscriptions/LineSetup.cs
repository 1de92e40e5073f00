using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>Starting points for the tests of a line's operations.</summary>
public static class LineSetup
{
    private static long _serial = Random.Shared.NextInt64(0, 1_000_000_000);

    /// <summary>A SIM of the network whose issuer digits are <paramref name="issuer"/> (07: movistar, 01: vodafone), never used before in this run.</summary>
    public static string NewIccid(string issuer = "07")
    {
        var body = $"8934{issuer}{Interlocked.Increment(ref _serial) * 7919 % 1_000_000_000_000:D12}";
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var digit = body[^(i + 1)] - '0';
            if (i % 2 == 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            sum += digit;
        }
        return body + (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>Fibre plus a mobile line with a SIM scanned at the till; the mobile line is the second.</summary>
    public static Task<SoldSale> SellMobileWithSimAsync(this HttpClient gateway, string iccid) =>
        gateway.SellAsync("FIBER-MOBILE", "postpaid", null, new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB", Iccid: iccid));

    /// <summary>
    /// Brings a line to active as SIM activation will (issue 3's <c>POST /sim-cards/{icc}/activation</c>, not on this
    /// branch yet): until then the line's state is set in its owner's database. Replace with the activation call when it lands.
    /// </summary>
    public static async Task ActivateAsync(this SuiteFixture suite, long subscriptionId)
    {
        await using var db = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        await db.ExecuteAsync("UPDATE subscriptions SET status = 'active', activated_at = now() WHERE id = @subscriptionId", new { subscriptionId });
    }

    /// <summary>
    /// The line as the user's tree shows it, once Customer's read model has <paramref name="applied"/> the change. The read
    /// model is polled rather than the tree: a tree read racing the invalidation can cache the old tree (see the report).
    /// </summary>
    public static async Task<JsonObject> TreeLineOnceAppliedAsync(
        this SuiteFixture suite, long userId, long subscriptionId, string applied, object expected, string what)
    {
        await using (var customer = await suite.OpenDatabaseAsync(ResourceNames.Customer))
            await Eventually.Until(
                () => customer.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM tree_subscriptions WHERE subscription_id = @subscriptionId AND {applied})",
                    new { subscriptionId, expected }),
                done => done, what);
        var tree = await suite.Gateway.GetJsonAsync($"/api/v1/users/{userId}/tree");
        return tree["accounts"]!.AsArray().SelectMany(a => a!["subscriptions"]!.AsArray()).Single(s => (long)s!["subscriptionId"]! == subscriptionId)!.AsObject();
    }

    public static async Task<HttpResponseMessage> SendJsonAsync(
        this HttpClient gateway, HttpMethod method, string path, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await gateway.SendAsync(request);
    }

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient gateway, string path) =>
        await (await gateway.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<long> CountAsync(this SuiteFixture suite, string service, string sql, object param)
    {
        await using var db = await suite.OpenDatabaseAsync(service);
        return await db.ExecuteScalarAsync<long>(sql, param);
    }

}
