using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

[Collection(SuiteCollection.Name)]
public class WorkOrderTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    /// <summary>The network simulator's admin side, where a test sets its behaviour and reads what it applied.</summary>
    private async Task<HttpClient> NetworkAsync()
    {
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Network);
        return suite.App.CreateHttpClient(ResourceNames.Network);
    }

    private async Task<JsonObject> FinishedAsync(long workOrderId, TimeSpan? timeout = null) =>
        (await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/work-orders/{workOrderId}")!,
            o => (string)o!["status"]! != "pending", $"work order {workOrderId} to finish", timeout))!;

    private async Task<JsonObject> AppliedAsync(long workOrderId)
    {
        using var network = await NetworkAsync();
        return (await network.GetFromJsonAsync<JsonObject>($"/admin/orders/work-order-{workOrderId}"))!;
    }

    [Fact]
    public async Task A_work_order_is_accepted_sent_to_the_network_and_completed_with_its_answer()
    {
        // Given a mobile line
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;

        // When a change order is posted
        var response = await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/work-orders",
            new { type = "change-services", parameters = new { roaming = false } });
        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        var id = (long)accepted["workOrderId"]!;
        Assert.EndsWith($"/api/v1/work-orders/{id}", response.Headers.Location!.ToString());

        // Then it completes with the network's reference, and the network applied it once
        var order = await FinishedAsync(id);
        Assert.Equal("completed", (string)order["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)order["networkReference"]));
        var applied = await AppliedAsync(id);
        Assert.Equal(1, (int)applied["timesApplied"]!);
        Assert.False((bool)applied["order"]!["parameters"]!["roaming"]!);
    }

    [Fact]
    public async Task While_the_network_fails_half_its_calls_work_orders_still_complete_each_applied_exactly_once()
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;
        using var network = await NetworkAsync();
        (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 20, failureRate = 0.5 })).EnsureSuccessStatusCode();
        try
        {
            // When several orders are posted while half the network's calls fail (before applying, or with the answer lost after)
            var ids = new List<long>();
            foreach (var type in new[] { "suspend-sim", "resume-sim", "change-product", "change-services" })
                ids.Add((long)(await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/work-orders", new { type })).ReadJsonAsync(HttpStatusCode.Accepted))["workOrderId"]!);

            // Then every one completes, and the network applied each exactly once however often it was sent
            var requests = 0;
            foreach (var id in ids)
            {
                Assert.Equal("completed", (string)(await FinishedAsync(id, TimeSpan.FromSeconds(90)))["status"]!);
                var applied = await AppliedAsync(id);
                Assert.Equal(1, (int)applied["timesApplied"]!);
                requests += (int)applied["requests"]!;
            }
            Assert.Equal(ids.Count, (await network.GetFromJsonAsync<JsonArray>("/admin/orders"))!
                .Count(o => ids.Any(id => (string)o!["idempotencyKey"]! == $"work-order-{id}")));
            Assert.True(requests >= ids.Count);
        }
        finally
        {
            (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 20, failureRate = 0.0 })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_network_answer_that_cannot_be_read_fails_that_order_alone_after_its_attempts()
    {
        // Given two lines, and a network whose answers about the first line's SIM cannot be read
        var broken = (await _gateway.SellAsync()).Lines[1];
        var healthy = (await _gateway.SellAsync()).Lines[1].SubscriptionId;
        using var network = await NetworkAsync();
        (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 20, failureRate = 0.0, malformedFor = new[] { broken.Iccid } }))
            .EnsureSuccessStatusCode();
        try
        {
            // When an order is posted for each, the broken line's first
            var first = (long)(await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{broken.SubscriptionId}/work-orders",
                new { type = "change-services", parameters = new { roaming = true } })).ReadJsonAsync(HttpStatusCode.Accepted))["workOrderId"]!;
            var second = (long)(await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{healthy}/work-orders",
                new { type = "change-services", parameters = new { roaming = true } })).ReadJsonAsync(HttpStatusCode.Accepted))["workOrderId"]!;

            // Then the order behind it completes
            Assert.Equal("completed", (string)(await FinishedAsync(second))["status"]!);
            // And the one with the unreadable answers fails after its attempts, saying why
            var failed = await FinishedAsync(first, TimeSpan.FromSeconds(90));
            Assert.Equal("failed", (string)failed["status"]!);
            Assert.Equal(SuiteFixture.WorkOrderAttempts, (int)failed["attempts"]!);
            Assert.Contains("malformed", failed.ToJsonString());
        }
        finally
        {
            (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 20, failureRate = 0.0 })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_slow_network_holds_no_transaction_open_while_orders_are_sent()
    {
        // Given a network that takes a second and a half to answer (within the client's attempt timeout)
        var mobile = (await _gateway.SellAsync()).Lines[1].SubscriptionId;
        using var network = await NetworkAsync();
        (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 1500, failureRate = 0.0 })).EnsureSuccessStatusCode();
        await using var subscriptionDb = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        try
        {
            // When orders are sent to it
            var ids = new List<long>();
            foreach (var type in new[] { "suspend-sim", "resume-sim" })
                ids.Add((long)(await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/work-orders", new { type })).ReadJsonAsync(HttpStatusCode.Accepted))["workOrderId"]!);

            // Then, for as long as they wait on the network, no transaction of Subscription's stays open (none lasts a second;
            // sampled at each look until both are done)
            var longest = TimeSpan.Zero;
            async Task<bool> SampledUntilFinishedAsync()
            {
                var oldest = TimeSpan.FromSeconds(await subscriptionDb.ExecuteScalarAsync<double?>(
                    """
                    SELECT extract(epoch FROM max(now() - xact_start)) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
                    """) ?? 0);
                if (oldest > longest) longest = oldest;
                foreach (var id in ids)
                    if ((string)(await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/work-orders/{id}"))!["status"]! == "pending") return false;
                return true;
            }
            await Eventually.Until(SampledUntilFinishedAsync, finished => finished, "the orders to finish");
            Assert.True(longest < TimeSpan.FromSeconds(1), $"A transaction stayed open {longest.TotalSeconds:0.0} s while the network answered.");
            foreach (var id in ids) Assert.Equal("completed", (string)(await FinishedAsync(id))["status"]!);
        }
        finally
        {
            (await network.PutAsJsonAsync("/admin/behaviour", new { latencyMs = 20, failureRate = 0.0 })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Work_orders_are_refused_for_unknown_lines_ended_lines_and_unknown_types()
    {
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;

        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/work-orders", new { type = "teleport" })).AssertProblemAsync(HttpStatusCode.BadRequest, "type");
        await (await _gateway.PostAsJsonAsync("/api/v1/subscriptions/4503599627370000/work-orders", new { type = "suspend-sim" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/work-orders/4503599627370000")).AssertProblemAsync(HttpStatusCode.NotFound);
        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 7 })).EnsureSuccessStatusCode();
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/work-orders", new { type = "suspend-sim" })).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_repeated_work_order_with_the_same_Idempotency_Key_is_stored_and_sent_once()
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;
        var key = $"order-{Guid.NewGuid():N}";

        var first = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/work-orders", new { type = "activate-sim" }, key)).ReadJsonAsync(HttpStatusCode.Accepted);
        var repeat = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/work-orders", new { type = "activate-sim" }, key)).ReadJsonAsync(HttpStatusCode.Accepted);

        Assert.Equal((long)first["workOrderId"]!, (long)repeat["workOrderId"]!);
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription, "SELECT count(*) FROM work_orders WHERE subscription_id = @mobile", new { mobile }));
    }
}
