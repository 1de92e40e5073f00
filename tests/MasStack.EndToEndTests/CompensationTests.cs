using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class CompensationTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_sale_that_fails_in_one_service_is_undone_in_every_other_and_its_stock_returns()
    {
        // Given a customer whose email is already taken by another user (Customer refuses that step)
        var existing = await _gateway.SellAsync();
        var sale = await _gateway.NewSaleAsync();
        sale["customer"]!["email"] = existing.Email;
        var number = (string)sale["lines"]![1]!["number"]!;

        // When the sale is posted, it is accepted, then fails
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var signupId = (long)accepted["signupId"]!;
        var failed = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! != "pending", "the sale to end");
        Assert.Equal("failed", (string)failed!["status"]!);
        Assert.Contains("email", (string)failed["failureReason"]!);
        await suite.WaitForCompensationAsync(signupId);

        // Then the account is gone, the lines are cancelled, and the number and SIM are back in stock
        var accountId = (long)accepted["accountId"]!;
        // (read through the gateway, whose answers may come from a cache invalidated just after the commit)
        await Eventually.Until(() => _gateway.GetAsync($"/api/v1/accounts/{accountId}"), r => r.StatusCode == HttpStatusCode.NotFound, "the account to be removed");
        foreach (var line in accepted["subscriptions"]!.AsArray())
            await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{(long)line!["subscriptionId"]!}")!,
                s => (string)s!["status"]! == "cancelled", "each line to be cancelled");
        var iccid = (string)accepted["subscriptions"]!.AsArray().Single(s => (string)s!["type"]! == "mobile")!["iccid"]!;
        Assert.Equal("available", (string)(await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{iccid}"))!["state"]!);
        Assert.Equal(HttpStatusCode.Created, (await _gateway.PostAsync($"/api/v1/msisdns/{number}/reservations", null)).StatusCode);

        // And no user was left for the document
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        Assert.Equal(0, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @id", new { id = (long)accepted["userId"]! }));
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        Assert.Equal(0, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM document_users WHERE user_id = @id", new { id = (long)accepted["userId"]! }));
    }

    [Fact]
    public async Task A_failed_second_sale_keeps_the_existing_user()
    {
        var first = await _gateway.SellAsync();
        var other = await _gateway.SellAsync();
        var sale = await _gateway.NewSaleAsync(documentNumber: first.DocumentNumber);
        sale["customer"]!["email"] = other.Email;

        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);
        var signupId = (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["signupId"]!;
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! == "failed", "the sale to fail");
        await suite.WaitForCompensationAsync(signupId);

        // Once the failed sale has been undone everywhere, the first sale's user and account are still there
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        Assert.Equal(1, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @UserId", new { first.UserId }));
        await using var accountDb = await suite.OpenDatabaseAsync(ResourceNames.Account);
        Assert.Equal(1, await accountDb.ExecuteScalarAsync<long>("SELECT count(*) FROM accounts WHERE id = @AccountId", new { first.AccountId }));
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync($"/api/v1/users/{first.UserId}/tree")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync($"/api/v1/accounts/{first.AccountId}")).StatusCode);
    }
}
