using System.Net;
using System.Net.Http.Json;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Migrations;

/// <summary>
/// A barred line migrates unless it is barred for debt or fraud (issue 14, point 2): Account keeps why each line is barred
/// from Barring's events, including a barring added to a line already barred (no status changes then).
/// </summary>
public partial class MigrationTests
{
    [Fact]
    public async Task A_line_barred_for_debt_or_fraud_cannot_migrate_even_when_the_barring_joins_one_for_another_reason()
    {
        // Given a user's two lines: one the operator bars for debt, the other barred at the customer's request
        var (a, b, _) = await SalesAsync(Sales.NewDni());
        var (indebted, requested) = (a.Lines[1].SubscriptionId, a.Lines[2].SubscriptionId);
        await ActivateAsync(indebted, requested);
        await BarAsync(indebted, "operator", "baoc", "debt");
        await BarAsync(requested, "customer", "boic", "request");
        await AccountSeesBarredForAsync(indebted, "debt");
        await AccountSeesBarredForAsync(requested, "request");

        // When the operator also bars the second for fraud (the line is barred already: its status does not change)
        await BarAsync(requested, "operator", "premium-rate", "fraud");
        await AccountSeesBarredForAsync(requested, "fraud", "request");

        // Then neither can migrate: 409 naming the reason, and nothing moved
        Assert.Contains("barred for debt", await DetailAsync(await StartAsync(indebted, new { targetAccountId = b.AccountId }), HttpStatusCode.Conflict));
        Assert.Contains("barred for fraud", await DetailAsync(await StartAsync(requested, new { targetAccountId = b.AccountId }), HttpStatusCode.Conflict));
        foreach (var line in new[] { indebted, requested })
            Assert.Equal(a.AccountId, (long)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"))["accountId"]!);
    }

    [Fact]
    public async Task A_line_barred_at_the_customer_s_request_or_with_its_SIM_blocked_as_lost_migrates_and_keeps_its_barrings()
    {
        // Given a user's two lines: one barred at the customer's request, the other with its SIM blocked as lost
        var (a, b, c) = await SalesAsync(Sales.NewDni());
        var (requested, lost) = (a.Lines[1].SubscriptionId, a.Lines[2].SubscriptionId);
        await ActivateAsync(requested, lost);
        await BarAsync(requested, "customer", "boic", "request");
        await (await SimStatusAsync(lost, "blocked", "lost")).ReadJsonAsync(HttpStatusCode.OK);
        await AccountSeesBarredForAsync(requested, "request");
        await AccountSeesBarredForAsync(lost, "lost");

        // When each moves to another account of the user
        await CompletedAsync(requested, new { targetAccountId = b.AccountId });
        await CompletedAsync(lost, new { targetAccountId = c.AccountId });

        // Then each is in its new account, still barred as before
        await ViewsShowAsync(a.UserId, requested, b.AccountId, a.AccountId);
        await ViewsShowAsync(a.UserId, lost, c.AccountId, a.AccountId);
        var barrings = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{requested}/barrings");
        Assert.Equal(("boic", "request"), ((string)barrings["activeBarrings"]![0]!["type"]!, (string)barrings["activeBarrings"]![0]!["reason"]!));
        Assert.Equal("lost", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{lost}/barrings"))["simStatus"]!["reason"]!);
        foreach (var line in new[] { requested, lost })
            Assert.Equal("barred", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"))["status"]!);
    }

    private async Task BarAsync(long line, string source, string type, string reason)
    {
        var current = await _gateway.GetAsync($"/api/v1/subscriptions/{line}/barrings");
        await current.ReadJsonAsync(HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/subscriptions/{line}/barrings")
        {
            Content = JsonContent.Create(new { source, set = new[] { new { type, reason } } }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.Tag);
        request.Headers.Add("X-Reason", $"Barred for {reason}");
        await (await _gateway.SendAsync(request)).ReadJsonAsync(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> SimStatusAsync(long line, string status, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/subscriptions/{line}/sim-status") { Content = JsonContent.Create(new { status, reason }) };
        request.Headers.Add("X-Reason", "Customer called the care desk");
        return await _gateway.SendAsync(request);
    }

    /// <summary>Waits until Account's copy of the line holds exactly these barring reasons (what a migration's check reads).</summary>
    private async Task AccountSeesBarredForAsync(long line, params string[] reasons)
    {
        await using var accounts = await suite.OpenDatabaseAsync(ResourceNames.Account);
        await Eventually.Until(
            async () => ((await accounts.QuerySingleOrDefaultAsync<string?>(
                "SELECT array_to_string(barring_reasons, ',') FROM account_subscriptions WHERE subscription_id = @line", new { line })) ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries),
            held => held.Order().SequenceEqual(reasons.Order()), $"Account to see line {line} barred for {string.Join(", ", reasons)}");
    }
}
