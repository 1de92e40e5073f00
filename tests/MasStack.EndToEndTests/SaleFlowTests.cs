using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class SaleFlowTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_sale_becomes_a_user_an_account_and_lines_that_the_tree_shows()
    {
        // Given a store sale of fibre and one mobile line
        var mobile = Sales.NewMobile();
        var sale = await _gateway.NewSaleAsync(lines: [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB", mobile)]);
        var dni = (string)sale["customer"]!["documentNumber"]!;

        // When the till posts it
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);

        // Then it is accepted at once with every id minted
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var signupId = (long)accepted["signupId"]!;
        var userId = (long)accepted["userId"]!;
        var accountId = (long)accepted["accountId"]!;
        Assert.Equal($"/api/v1/signups/{signupId}", response.Headers.Location?.OriginalString);
        Assert.Equal("pending", (string)accepted["status"]!);
        var subscriptions = accepted["subscriptions"]!.AsArray();
        Assert.Equal(["internet", "mobile"], subscriptions.Select(s => (string)s!["type"]!).Order());
        Assert.All(new[] { signupId, userId, accountId }, id => Assert.InRange(id, 1, (1L << 53) - 1));

        // And the sale completes once every service has done its part
        var signup = await Eventually.Until(
            () => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! != "pending", "the signup to leave pending");
        Assert.Equal("completed", (string)signup!["status"]!);
        Assert.All(signup["steps"]!.AsArray(), step => Assert.Equal("confirmed", (string)step!["state"]!));

        // And the customer tree shows the user with the account and both lines
        var tree = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{userId}/tree"))!;
        Assert.Equal(dni, (string)tree["user"]!["documentNumber"]!);
        var account = Assert.Single(tree["accounts"]!.AsArray())!;
        Assert.Equal(accountId, (long)account["accountId"]!);
        Assert.Equal("postpaid", (string)account["paymentType"]!);
        var lines = account["subscriptions"]!.AsArray();
        Assert.Equal(subscriptions.Select(s => (long)s!["subscriptionId"]!).Order(), lines.Select(l => (long)l!["subscriptionId"]!).Order());
        var mobileLine = lines.Single(l => (string)l!["type"]! == "mobile")!;
        Assert.Equal("+34" + mobile, (string)mobileLine["number"]!);
        Assert.Equal("pending-activation", (string)mobileLine["status"]!);

        // And the same tree is found by document number, email and every spelling of the number
        foreach (var query in new[]
                 {
                     $"documentNumber={dni}", $"email={Uri.EscapeDataString((string)sale["customer"]!["email"]!)}",
                     $"msisdn={mobile}", $"msisdn=%2B34{mobile}", $"msisdn=0034{mobile}",
                 })
        {
            var found = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/customer-tree?{query}"))!;
            Assert.Equal(userId, (long)found["user"]!["userId"]!);
        }
    }

    [Fact]
    public async Task A_number_already_sold_can_be_neither_reserved_nor_sold_again()
    {
        // Given a completed sale of a chosen number
        var sold = await _gateway.SellAsync();
        var number = sold.Lines.Single(l => l.Type == "mobile").Number!;

        // When another till tries to hold it, or to sell it with a made-up reservation
        var hold = await _gateway.PostAsync($"/api/v1/msisdns/{Uri.EscapeDataString(number)}/reservations", null);
        var sale = Sales.NewSale(mobiles: number);
        sale["lines"]![1]!["reservationId"] = 4242;
        var second = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);

        // Then both are refused, the sale naming the line's reservation
        await hold.AssertProblemAsync(HttpStatusCode.Conflict);
        await second.AssertProblemAsync(HttpStatusCode.Conflict, "lines[1].reservationId");
    }

    [Fact]
    public async Task A_four_play_sale_creates_each_kind_of_line()
    {
        var sold = await _gateway.SellAsync("FIBER-FIXED-MOBILE-TV", "postpaid", null,
            new SaleLine("internet", "FIBER-600M"), new SaleLine("fixed", "FIXED-UNLIMITED"),
            new SaleLine("mobile", "MOBILE-10GB"), new SaleLine("tv", "TV-TOTAL"));

        var tree = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sold.UserId}/tree"))!;
        var lines = tree["accounts"]![0]!["subscriptions"]!.AsArray();
        Assert.Equal(["fixed", "internet", "mobile", "tv"], lines.Select(l => (string)l!["type"]!).Order());
        Assert.Equal(sold.Lines.Single(l => l.Type == "fixed").Number, (string)lines.Single(l => (string)l!["type"]! == "fixed")!["number"]!);

        var account = await Eventually.Until(
            () => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/accounts/{sold.AccountId}")!,
            a => a!["subscriptions"]!.AsArray().Count == 4, "the account to list its four lines");
        Assert.Equal("FIBER-FIXED-MOBILE-TV", (string)account!["bundleCode"]!);
        Assert.Equal(sold.Lines.Select(l => l.SubscriptionId).Order(), account["subscriptions"]!.AsArray().Select(l => (long)l!["subscriptionId"]!).Order());
    }
}
