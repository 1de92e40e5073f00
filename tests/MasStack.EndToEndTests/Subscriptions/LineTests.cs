using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

[Collection(SuiteCollection.Name)]
public class LineTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_line_shows_its_type_number_SIM_product_status_account_and_dates()
    {
        // Given a sale with a mobile line whose SIM was scanned at the till
        var iccid = LineSetup.NewIccid();
        var sale = await _gateway.SellMobileWithSimAsync(iccid);
        var mobile = sale.Lines[1];

        // When the line is read
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile.SubscriptionId}");

        // Then it shows what the sale made of it
        Assert.Equal("mobile", (string)line["type"]!);
        Assert.Equal("new", (string)line["numberMode"]!);
        Assert.Equal(mobile.Number, (string)line["number"]!);
        Assert.Equal(iccid, (string)line["iccid"]!);
        Assert.Equal("MOBILE-50GB", (string)line["productCode"]!);
        Assert.Equal("pending-activation", (string)line["status"]!);
        Assert.Equal(sale.AccountId, (long)line["accountId"]!);
        Assert.Equal(sale.UserId, (long)line["userId"]!);
        Assert.NotNull(line["createdAt"]);
        Assert.Null(line["activatedAt"]);
    }

    [Fact]
    public async Task An_unknown_line_is_404() =>
        await (await _gateway.GetAsync("/api/v1/subscriptions/4503599627370000")).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task An_in_flight_mobile_line_is_cancelled_and_the_account_and_tree_show_it()
    {
        // Given a mobile line pending activation
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;

        // When it is cancelled with a motive of master data
        var cancelled = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 1, comment = "Changed her mind" }))
            .ReadJsonAsync(HttpStatusCode.OK);

        // Then the line is cancelled with its motive, its number and SIM are announced back to stock, and the account and tree show it
        Assert.Equal("cancelled", (string)cancelled["status"]!);
        Assert.Equal(1, (int)cancelled["motive"]!["id"]!);
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}");
        Assert.Equal("cancelled", (string)line["status"]!);
        Assert.Equal("customer-withdrawal", (string)line["cancellationMotive"]!["code"]!);
        Assert.NotNull(line["cancelledAt"]);
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionCancelled' AND body->>'subscriptionId' = @id", new { id = mobile.ToString() }));
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/accounts/{sale.AccountId}")!,
            a => (string?)a!["subscriptions"]!.AsArray().Single(s => (long)s!["subscriptionId"]! == mobile)!["status"] == "cancelled", "the account to show the cancellation");
        var shown = await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile, "status = @expected", "cancelled", "the tree to show the cancellation");
        Assert.Equal("cancelled", (string)shown["status"]!);
    }

    [Fact]
    public async Task An_active_line_is_not_cancelled_here()
    {
        // Given an active mobile line
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;
        await suite.ActivateAsync(mobile);

        // When it is cancelled, Then 409 names both states and the line stays active
        var problem = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 1 }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("active cannot become cancelled", (string)problem["detail"]!);
        Assert.Equal("active", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["status"]!);
    }

    [Fact]
    public async Task A_cancellation_is_refused_twice_without_a_motive_for_a_fixed_line_and_for_an_unknown_line()
    {
        var sale = await _gateway.SellAsync("FIBER-FIXED-MOBILE-TV", "postpaid", null,
            new SaleLine("internet", "FIBER-1G"), new SaleLine("fixed", "FIXED-BASIC"), new SaleLine("mobile", "MOBILE-10GB"), new SaleLine("tv", "TV-BASIC"));
        var mobile = sale.Lines[2].SubscriptionId;

        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 99 })).AssertProblemAsync(HttpStatusCode.BadRequest, "motiveId");
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{sale.Lines[1].SubscriptionId}/cancellation", new { motiveId = 2 }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _gateway.PostAsJsonAsync("/api/v1/subscriptions/4503599627370000/cancellation", new { motiveId = 2 })).AssertProblemAsync(HttpStatusCode.NotFound);

        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 2 })).EnsureSuccessStatusCode();
        var again = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 2 })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("cancelled cannot become cancelled", (string)again["detail"]!);
    }

    [Fact]
    public async Task A_repeated_cancellation_with_the_same_Idempotency_Key_answers_the_first_response_again()
    {
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;
        var key = $"cancel-{Guid.NewGuid():N}";

        var first = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 3 }, key)).ReadJsonAsync(HttpStatusCode.OK);
        var repeat = await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 3 }, key);

        Assert.Equal(first.ToJsonString(), (await repeat.ReadJsonAsync(HttpStatusCode.OK)).ToJsonString());
        Assert.True(repeat.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionCancelled' AND body->>'subscriptionId' = @id", new { id = mobile.ToString() }));
    }
}
