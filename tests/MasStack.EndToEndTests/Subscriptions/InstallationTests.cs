using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>Fixed, internet and TV lines are installed by the field service (the network simulator's stand-in) before they work.</summary>
[Collection(SuiteCollection.Name)]
public class InstallationTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private Task<JsonObject> LineOnceAsync(long subscriptionId, Func<JsonObject, bool> done, string what) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}"), done, what, TimeSpan.FromSeconds(60));

    /// <summary>The next <paramref name="visits"/> installations of <paramref name="number"/> fail at the field service.</summary>
    private async Task FailVisitsAsync(string number, int visits)
    {
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Network);
        using var network = suite.App.CreateHttpClient(ResourceNames.Network);
        (await network.PostAsJsonAsync("/admin/field-service/failures", new { key = number, visits })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_fibre_line_and_a_TV_line_become_active_after_their_installation()
    {
        // Given a sale of fibre, mobile and TV
        var sale = await _gateway.SellAsync("FIBER-MOBILE-TV", "postpaid", null,
            new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB"), new SaleLine("tv", "TV-BASIC"));

        // When the field service has installed them
        foreach (var type in new[] { "internet", "tv" })
        {
            var id = sale.Lines.Single(l => l.Type == type).SubscriptionId;
            var line = await LineOnceAsync(id, l => (string)l["status"]! == "active", $"the {type} line to become active");

            // Then each line is active, shows its installation done and its work order
            Assert.Equal("completed", (string)line["installation"]!["state"]!);
            Assert.NotNull(line["activatedAt"]);
            var order = await _gateway.GetJsonAsync($"/api/v1/work-orders/{(long)line["installation"]!["workOrderId"]!}");
            Assert.Equal("install", (string)order["type"]!);
            Assert.Equal("completed", (string)order["status"]!);
            await suite.TreeLineOnceAppliedAsync(sale.UserId, id, "status = @expected", "active", $"the tree to show the {type} line active");
        }

        // And the mobile line, which needs no visit, still waits for its SIM
        var mobile = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{sale.Lines.Single(l => l.Type == "mobile").SubscriptionId}");
        Assert.Equal("pending-activation", (string)mobile["status"]!);
        Assert.Null(mobile["installation"]);
    }

    [Fact]
    public async Task An_installation_that_fails_twice_is_visited_again_and_then_succeeds()
    {
        // Given a fixed line whose first two visits will fail
        var number = "+34" + Sales.NewFixed();
        await FailVisitsAsync(number, 2);

        // When it is sold
        var sale = await _gateway.SellAsync("FIBER-FIXED-MOBILE-TV", "postpaid", null,
            new SaleLine("internet", "FIBER-1G"), new SaleLine("fixed", "FIXED-BASIC", number[3..]), new SaleLine("mobile", "MOBILE-50GB"),
            new SaleLine("tv", "TV-BASIC"));
        var fixedLine = sale.Lines.Single(l => l.Type == "fixed").SubscriptionId;

        // Then the third visit installs it, and the line is active
        var line = await LineOnceAsync(fixedLine, l => (string)l["status"]! == "active", "the fixed line to become active after a third visit");
        Assert.Equal(number, (string)line["number"]!);
        Assert.Equal("completed", (string)line["installation"]!["state"]!);
        Assert.Equal(3, (int)line["installation"]!["attempts"]!);
    }

    [Fact]
    public async Task An_installation_that_fails_for_good_leaves_the_line_pending_with_the_reason_and_an_operator_can_order_a_new_one()
    {
        // Given a fixed line whose every visit fails (three visits at most)
        var number = "+34" + Sales.NewFixed();
        await FailVisitsAsync(number, 3);
        var sale = await _gateway.SellAsync("FIBER-FIXED-MOBILE-TV", "postpaid", null,
            new SaleLine("internet", "FIBER-1G"), new SaleLine("fixed", "FIXED-BASIC", number[3..]), new SaleLine("mobile", "MOBILE-50GB"),
            new SaleLine("tv", "TV-BASIC"));
        var fixedLine = sale.Lines.Single(l => l.Type == "fixed").SubscriptionId;

        // Then the installation fails, and the line stays pending activation saying why
        var line = await LineOnceAsync(fixedLine, l => (string?)l["installation"]?["state"] == "failed", "the installation to fail for good");
        Assert.Equal("pending-activation", (string)line["status"]!);
        Assert.Contains("Installation failed", (string)line["statusReason"]!);
        Assert.Contains("nobody was at the premises", (string)line["installation"]!["reason"]!);
        Assert.Equal(3, (int)line["installation"]!["attempts"]!);

        // And an operator orders a new visit, which installs it
        var order = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{fixedLine}/work-orders", new { type = "install" }))
            .ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("install", (string)order["type"]!);
        await LineOnceAsync(fixedLine, l => (string)l["status"]! == "active", "the fixed line to become active after the new visit");
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{fixedLine}/work-orders", new { type = "install" }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
