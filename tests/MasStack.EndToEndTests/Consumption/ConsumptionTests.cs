using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Consumption;

[Collection(SuiteCollection.Name)]
public class ConsumptionTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    /// <summary>The network's client for the usage feed (it will need the operator's "network" scope): one line to change.</summary>
    private readonly HttpClient _network = suite.CreateGatewayClient("network");

    private const long Mb = 1_048_576;

    [Fact]
    public async Task Postpaid_usage_is_rated_once_against_allowances_and_bonuses_and_the_cap_bars_and_lifts_through_Barring()
    {
        // Given an active postpaid line of MOBILE-10GB (10 GB of data, unlimited national calls, 100 SMS) with a 5 GB data bonus
        var sale = await _gateway.SellAsync("FIBER-MOBILE", "postpaid", null, new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-10GB"));
        var internet = sale.Lines[0].SubscriptionId;
        var mobile = sale.Lines[1];
        await ActivateAsync(mobile.SubscriptionId);
        await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile.SubscriptionId}/bonuses", new { bonusCode = "DATA-5GB-30D" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        await using (var consumption = await suite.OpenDatabaseAsync(ResourceNames.Consumption))
            await Eventually.Until(() => consumption.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM line_bonuses WHERE subscription_id = @SubscriptionId AND NOT removed)", new { mobile.SubscriptionId }),
                known => known, "Consumption to know the bonus");
        var now = DateTimeOffset.UtcNow;
        var run = Guid.NewGuid().ToString("N")[..8];

        // When the network sends records, the same ones twice in one batch and in two batches at once, beside bad ones
        object[] good =
        [
            Usage($"{run}-d1", mobile.Number!, "data", 15 * 1024 * Mb, now),                         // 10 GB + the 5 GB bonus: free
            Usage($"{run}-d2", mobile.Number!, "data", 2 * Mb, now.AddSeconds(1)),                    // beyond both: 2 MB × 0.005 = 0.01
            Usage($"{run}-v1", mobile.Number!, "voice", 3600, now.AddSeconds(2)),                     // national, unlimited: free
            Usage($"{run}-v2", mobile.Number!, "voice", 90, now.AddSeconds(3), "international"),      // 1.5 min × 0.40 = 0.60
            Usage($"{run}-s1", mobile.Number!, "sms", 102, now.AddSeconds(4)),                        // 100 included, 2 × 0.09 = 0.18
        ];
        var first = new JsonArray([.. good.Select(g => JsonSerializer.SerializeToNode(g)), JsonSerializer.SerializeToNode(good[1]),
            JsonSerializer.SerializeToNode(Usage($"{run}-x1", "699999999", "voice", 10, now)),
            JsonSerializer.SerializeToNode(new { recordId = $"{run}-x2", msisdn = mobile.Number, type = "video", startedAt = now, quantity = 1, destination = "national" }),
            JsonSerializer.SerializeToNode(new { recordId = $"{run}-x3", subscriptionId = internet, type = "data", startedAt = now, quantity = "lots", destination = "national" }),
            JsonSerializer.SerializeToNode(new { recordId = $"{run}-x4", subscriptionId = 1, type = "data", startedAt = now, quantity = 5, destination = "national" })]);
        var answers = await Task.WhenAll(PostUsageAsync(first), PostUsageAsync(new JsonArray([.. good.Select(g => JsonSerializer.SerializeToNode(g))])));

        // Then each record is rated once across both batches, and each bad one is rejected alone, with why
        Assert.Equal(5, answers.Sum(a => (int)a["rated"]!));
        Assert.Equal(6, answers.Sum(a => (int)a["duplicates"]!));
        Assert.Equal(10, (int)answers[0]["received"]!);
        var rejections = answers[0]["rejections"]!.AsArray();
        Assert.Equal(4, (int)answers[0]["rejected"]!);
        Assert.Equal(["unknown-number", "malformed", "malformed", "unknown-subscription"], rejections.Select(r => (string)r!["reason"]!));
        Assert.Contains("type", (string)rejections[1]!["detail"]!);
        Assert.Contains("quantity", (string)rejections[2]!["detail"]!);

        // And the details show what each cost, with totals per type over the range
        var details = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption?startDate={now:yyyy-MM-dd}&endDate={now:yyyy-MM-dd}");
        Assert.Equal(5, details["records"]!.AsArray().Count);
        var cost = details["records"]!.AsArray().ToDictionary(r => (string)r!["recordId"]!, r => (decimal)r!["charge"]!["amount"]!);
        Assert.Equal([0m, 0.01m, 0m, 0.60m, 0.18m], new[] { "d1", "d2", "v1", "v2", "s1" }.Select(id => cost[$"{run}-{id}"]));
        Assert.Equal(0.79m, (decimal)details["totalCharge"]!["amount"]!);
        var totals = details["totals"]!.AsArray().ToDictionary(t => (string)t!["type"]!, t => t!.AsObject());
        Assert.Equal(15 * 1024 * Mb + 2 * Mb, (long)totals["data"]["quantity"]!);
        Assert.Equal(2, (long)totals["sms"]["charged"]!);
        var voiceOnly = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption?type=voice&limit=1");
        Assert.Single(voiceOnly["records"]!.AsArray());
        Assert.Equal(0.60m, (decimal)voiceOnly["totalCharge"]!["amount"]!);

        // And Billing is told the month's charged usage per line, as much as was rated
        await Eventually.Until(() => LatestUsageChargedAsync(mobile.SubscriptionId), total => total == 0.79m, "the month's usage charged to be published");

        // When a cap of 1.00 is set, 0.80 spent warns once; crossing it inside a batch is split exactly at 1.00
        var limit = await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit", new { amount = 1.00, currency = "EUR" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)limit["warned"]!);
        await PostUsageAsync(new JsonArray(JsonSerializer.SerializeToNode(Usage($"{run}-v3", mobile.Number!, "voice", 3, now.AddSeconds(5), "international")))); // 0.02
        Assert.True((bool)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit"))["warned"]!);
        await PostUsageAsync(new JsonArray(
            JsonSerializer.SerializeToNode(Usage($"{run}-v4", mobile.Number!, "voice", 15, now.AddSeconds(6), "international")),   // 0.10: 0.91
            JsonSerializer.SerializeToNode(Usage($"{run}-v5", mobile.Number!, "voice", 30, now.AddSeconds(7), "international")))); // 0.20: 0.09 paid
        var reached = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit");
        Assert.Equal(1.00m, (decimal)reached["spent"]!["amount"]!);
        Assert.True((bool)reached["reached"]!);
        var v5 = (await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption?type=voice"))["records"]!.AsArray()
            .Single(r => (string)r!["recordId"]! == $"{run}-v5")!;
        Assert.Equal((0.09m, 0.11m), ((decimal)v5["charge"]!["amount"]!, (decimal)v5["refusedAmount"]!["amount"]!));

        // Then Barring bars outgoing chargeable traffic for the consumption limit, and the tree shows it
        await Eventually.Until(() => ConsumptionLimitBarringsAsync(mobile.SubscriptionId), n => n > 0, "Barring to bar the line for its consumption limit");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile.SubscriptionId, "barred", true, "the tree to show the line barred");

        // When the cap is raised above what is spent, the barring is lifted at once
        await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit", new { amount = 5.00, currency = "EUR" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        await Eventually.Until(() => ConsumptionLimitBarringsAsync(mobile.SubscriptionId), n => n == 0, "the raised cap to lift the barring");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile.SubscriptionId, "NOT barred", true, "the tree to show the line free");

        // When the cap is lowered to what is spent it is reached at once; a new billing month (the calendar moved on) starts afresh
        var lowered = await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit", new { amount = 1.00, currency = "EUR" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)lowered["reached"]!);
        await Eventually.Until(() => ConsumptionLimitBarringsAsync(mobile.SubscriptionId), n => n > 0, "the lowered cap to bar the line");
        try
        {
            await suite.MoveCalendarAsync(ResourceNames.Consumption, TimeSpan.FromDays(35));
            await Eventually.Until(() => ConsumptionLimitBarringsAsync(mobile.SubscriptionId), n => n == 0, "the new month to lift the barring");
            var fresh = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/consumption-limit");
            Assert.Equal((false, false, 0m), ((bool)fresh["reached"]!, (bool)fresh["warned"]!, (decimal)fresh["spent"]!["amount"]!));
        }
        finally
        {
            await suite.MoveCalendarAsync(ResourceNames.Consumption, TimeSpan.Zero);
        }

        // And a prepaid-only operation on a postpaid line is 409
        await (await _gateway.GetAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}/balance")).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile.SubscriptionId}/recharges",
            new { amount = new { amount = 10.00, currency = "EUR" }, method = "card" }, idempotencyKey: Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_prepaid_sale_of_two_lines_completes_once_both_balances_are_opened_each_with_its_products_credit()
    {
        // Given a prepaid family sale of two lines, whose balances Consumption opens together and confirms in one event
        var sale = await _gateway.SellAsync("MOBILE-PREPAID-FAMILY", "prepaid", null,
            new SaleLine("mobile", "PREPAID-5GB"), new SaleLine("mobile", "PREPAID-20GB"));

        // Then every step of the sale was confirmed, each line's balance among them
        var signup = await _gateway.GetJsonAsync($"/api/v1/signups/{sale.SignupId}");
        Assert.All(signup["steps"]!.AsArray(), step => Assert.Equal("confirmed", (string)step!["state"]!));
        Assert.Equal(2, signup["steps"]!.AsArray().Count(step => ((string)step!["step"]!).StartsWith("consumption")));

        // And each line holds its own product's initial credit
        var balances = await Task.WhenAll(sale.Lines.Select(l => _gateway.GetJsonAsync($"/api/v1/subscriptions/{l.SubscriptionId}/balance")));
        Assert.Equal([5.00m, 10.00m], balances.Select(b => (decimal)b["balance"]!["amount"]!));
    }

    [Fact]
    public async Task A_prepaid_line_opens_its_balance_in_the_sale_runs_out_is_barred_and_a_recharge_frees_it()
    {
        // Given a prepaid sale: it completes only once Consumption opened the balance with the product's initial credit (5.00)
        var sale = await _gateway.SellAsync("MOBILE-PREPAID", "prepaid", null, new SaleLine("mobile", "PREPAID-5GB"));
        var line = sale.Lines[0];
        var early = await PostUsageAsync(new JsonArray(JsonSerializer.SerializeToNode(Usage($"{line.SubscriptionId}-early", line.Number!, "sms", 1, DateTimeOffset.UtcNow))));
        Assert.Equal("line-not-active", (string)early["rejections"]![0]!["reason"]!); // not active until its SIM is
        await ActivateAsync(line.SubscriptionId);
        var balance = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line.SubscriptionId}/balance");
        Assert.Equal(5.00m, (decimal)balance["balance"]!["amount"]!);
        var allowances = balance["allowances"]!.AsArray().ToDictionary(a => (string)a!["type"]!, a => a!.AsObject());
        Assert.Equal(100 * 60, (long)allowances["voice"]["remaining"]!);
        Assert.Equal(50, (long)allowances["sms"]["remaining"]!);

        // When it calls abroad for 10 minutes (0.60 a minute: 6.00), and 2 national minutes from its allowance
        var now = DateTimeOffset.UtcNow;
        var run = Guid.NewGuid().ToString("N")[..8];
        var answer = await PostUsageAsync(new JsonArray(
            JsonSerializer.SerializeToNode(Usage($"{run}-n", line.Number!, "voice", 120, now)),
            JsonSerializer.SerializeToNode(Usage($"{run}-i", line.Number!, "voice", 600, now.AddSeconds(1), "international"))));
        Assert.Equal(2, (int)answer["rated"]!);

        // Then the balance pays 5.00, the rest is refused and recorded as such, the allowance shrinks, and Barring bars the line
        var empty = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line.SubscriptionId}/balance");
        Assert.Equal(0m, (decimal)empty["balance"]!["amount"]!);
        Assert.True((bool)empty["exhausted"]!);
        Assert.Equal(98 * 60, (long)empty["allowances"]!.AsArray().Single(a => (string)a!["type"]! == "voice")!["remaining"]!);
        var international = (await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line.SubscriptionId}/consumption"))["records"]!.AsArray()
            .Single(r => (string)r!["recordId"]! == $"{run}-i")!;
        Assert.Equal((5.00m, 1.00m, 500L, 100L), ((decimal)international["charge"]!["amount"]!, (decimal)international["refusedAmount"]!["amount"]!,
            (long)international["charged"]!, (long)international["refused"]!));
        await Eventually.Until(() => ConsumptionLimitBarringsAsync(line.SubscriptionId), n => n > 0, "Barring to bar the line whose balance ran out");

        // When it is recharged with an Idempotency-Key, twice (a retry), and once with an amount out of the tariff's limits
        var key = Guid.NewGuid().ToString();
        var recharge = new { amount = new { amount = 10.00, currency = "EUR" }, method = "card" };
        var once = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line.SubscriptionId}/recharges", recharge, key)).ReadJsonAsync(HttpStatusCode.Created);
        var again = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line.SubscriptionId}/recharges", recharge, key)).ReadJsonAsync(HttpStatusCode.Created);
        await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line.SubscriptionId}/recharges",
            new { amount = new { amount = 1.00, currency = "EUR" }, method = "card" }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "amount");
        await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line.SubscriptionId}/recharges",
            new { amount = new { amount = 10.00, currency = "EUR" }, method = "barter" }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.BadRequest, "method");

        // Then the balance holds one recharge, the barring is lifted, and the recharge is listed in an inclusive range
        Assert.Equal((long)once["rechargeId"]!, (long)again["rechargeId"]!);
        Assert.Equal(10.00m, (decimal)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line.SubscriptionId}/balance"))["balance"]!["amount"]!);
        await Eventually.Until(() => ConsumptionLimitBarringsAsync(line.SubscriptionId), n => n == 0, "the recharge to lift the barring");
        var today = now.ToString("yyyy-MM-dd");
        var listed = await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/recharges?startDate={today}&endDate={today}");
        Assert.Equal("1", listed.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(10.00m, (decimal)JsonNode.Parse(await listed.Content.ReadAsStringAsync())!.AsArray().Single()!["amount"]!["amount"]!);

        // And the date-range rules: at most 366 days both included, the start not after the end, dates as yyyy-MM-dd
        var start = DateOnly.FromDateTime(now.UtcDateTime);
        Assert.Equal(HttpStatusCode.OK,
            (await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/recharges?startDate={start.AddDays(-365):yyyy-MM-dd}&endDate={start:yyyy-MM-dd}")).StatusCode);
        await (await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/recharges?startDate={start.AddDays(-366):yyyy-MM-dd}&endDate={start:yyyy-MM-dd}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "endDate");
        await (await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/consumption?startDate={start.AddDays(1):yyyy-MM-dd}&endDate={start:yyyy-MM-dd}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "startDate");
        await (await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/consumption?startDate=28/11/2026"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "startDate");
        await (await _gateway.GetAsync($"/api/v1/subscriptions/{line.SubscriptionId}/consumption-limit")).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    /// <summary>Activates the line and waits until Consumption's copy of it is active too (usage of a line not active is rejected).</summary>
    private async Task ActivateAsync(long subscriptionId)
    {
        await suite.ActivateAsync(subscriptionId);
        await using var consumption = await suite.OpenDatabaseAsync(ResourceNames.Consumption);
        await Eventually.Until(() => consumption.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM consumption_lines WHERE subscription_id = @subscriptionId AND status = 'active')", new { subscriptionId }),
            active => active, $"Consumption to see line {subscriptionId} active");
    }

    private static object Usage(string recordId, string msisdn, string type, long quantity, DateTimeOffset startedAt, string destination = "national") =>
        new { recordId, msisdn, type, startedAt, quantity, destination };

    private async Task<JsonObject> PostUsageAsync(JsonArray records) =>
        await (await _network.PostAsJsonAsync("/api/v1/usage-records", new JsonObject { ["records"] = records })).ReadJsonAsync(HttpStatusCode.OK);

    private async Task<int> ConsumptionLimitBarringsAsync(long subscriptionId) =>
        (await _gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}/barrings"))["activeBarrings"]!.AsArray()
            .Count(b => (string)b!["reason"]! == "consumption-limit");

    /// <summary>The total of the newest UsageCharged about the line in Consumption's outbox (what Billing receives).</summary>
    private async Task<decimal?> LatestUsageChargedAsync(long subscriptionId)
    {
        await using var consumption = await suite.OpenDatabaseAsync(ResourceNames.Consumption);
        return await consumption.QuerySingleOrDefaultAsync<decimal?>(
            """
            SELECT (body -> 'total' ->> 'amount')::numeric FROM outbox_messages
            WHERE message_type LIKE '%UsageCharged' AND (body ->> 'subscriptionId')::bigint = @subscriptionId
            ORDER BY (body ->> 'version')::bigint DESC LIMIT 1
            """, new { subscriptionId });
    }
}
