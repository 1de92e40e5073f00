using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>Starting points for the tests of a line's operations.</summary>
public static class LineSetup
{
    private const string OurNetworkIssuer = "893425", OtherNetworkIssuer = "893426"; // MásMóvil's and Yoigo's SIMs
    private static int _stockSerial = 5001;

    /// <summary>
    /// An ICCID in Signup's seeded stock (serials 1…5000 per network), taken from the top so that it never meets the
    /// SIMs that online sales take from the bottom, and never used before in this run.
    /// </summary>
    public static string NewIccid(bool otherNetwork = false)
    {
        var body = $"{(otherNetwork ? OtherNetworkIssuer : OurNetworkIssuer)}{100_000_000 + Interlocked.Decrement(ref _stockSerial):D12}";
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

    /// <summary>Activates the line's SIM as the till does (<c>POST /sim-cards/{icc}/activation</c>) and waits until the line is active.</summary>
    public static async Task ActivateAsync(this SuiteFixture suite, long subscriptionId)
    {
        var line = await suite.Gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}");
        var activation = await suite.Gateway.PostAsync($"/api/v1/sim-cards/{(string)line["iccid"]!}/activation", null);
        Assert.Equal(HttpStatusCode.Accepted, activation.StatusCode);
        await Eventually.Until(() => suite.Gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}"),
            l => (string)l["status"]! == "active", $"line {subscriptionId} to become active");
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
