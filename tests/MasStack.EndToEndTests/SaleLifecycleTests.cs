using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class SaleLifecycleTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private Task<HttpResponseMessage> PostAsync(string path, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return _gateway.SendAsync(request);
    }

    [Fact]
    public async Task Activating_the_sim_makes_the_line_active_everywhere_and_a_second_activation_is_409()
    {
        var sold = await _gateway.SellAsync();
        var mobile = sold.Lines.Single(l => l.Type == "mobile");

        var activation = await _gateway.PostAsync($"/api/v1/sim-cards/{mobile.Iccid}/activation", null);

        Assert.Equal(HttpStatusCode.Accepted, activation.StatusCode);
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{mobile.SubscriptionId}")!,
            s => (string)s!["status"]! == "active", "the line to become active");
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{sold.UserId}/tree")!,
            t => t!["accounts"]![0]!["subscriptions"]!.AsArray().Any(l => (string)l!["status"]! == "active"), "the tree to show the line active");
        Assert.Equal("active", (string)(await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{mobile.Iccid}"))!["state"]!);
        await (await _gateway.PostAsync($"/api/v1/sim-cards/{mobile.Iccid}/activation", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_sim_not_assigned_to_a_line_cannot_be_activated()
    {
        var icc = await StoreSales.AvailableSimAsync(_gateway);

        await (await _gateway.PostAsync($"/api/v1/sim-cards/{icc}/activation", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_payment_at_the_sale_is_recorded_once_per_key()
    {
        var sold = await _gateway.SellAsync();
        var payment = new { amount = new { amount = 29.90m, currency = "EUR" }, method = "card", reference = "AUTH-123456" };
        var key = $"till-42-{Guid.NewGuid()}";

        var first = await PostAsync($"/api/v1/signups/{sold.SignupId}/payments", payment, key);
        var again = await PostAsync($"/api/v1/signups/{sold.SignupId}/payments", payment, key);
        var other = await PostAsync($"/api/v1/signups/{sold.SignupId}/payments", payment with { reference = "AUTH-999" }, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var signup = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{sold.SignupId}"))!;
        var recorded = Assert.Single(signup["payments"]!.AsArray())!;
        Assert.Equal(29.90m, (decimal)recorded["amount"]!["amount"]!);
        await (await PostAsync($"/api/v1/signups/{sold.SignupId}/payments", new { amount = new { amount = 10m, currency = "EUR" }, method = "cheque" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "method");
        await (await PostAsync("/api/v1/signups/4242/payments", payment)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_second_sale_to_the_same_document_reuses_the_user_with_a_new_account()
    {
        var first = await _gateway.SellAsync();

        var second = await _gateway.SellAsync("MOBILE-POSTPAID", "postpaid", first.DocumentNumber, new SaleLine("mobile", "MOBILE-10GB"));

        Assert.Equal(first.UserId, second.UserId);
        Assert.NotEqual(first.AccountId, second.AccountId);
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{first.UserId}/tree")!,
            t => t!["accounts"]!.AsArray().Count == 2, "the tree to show both accounts");
    }

    [Fact]
    public async Task Two_concurrent_sales_for_one_new_document_make_one_user()
    {
        var dni = Sales.NewDni();

        var sales = await Task.WhenAll(_gateway.SellAsync(documentNumber: dni), _gateway.SellAsync(documentNumber: dni));

        Assert.Equal(sales[0].UserId, sales[1].UserId);
        Assert.NotEqual(sales[0].AccountId, sales[1].AccountId);
    }

    [Fact]
    public async Task A_line_added_to_a_bundle_with_room_joins_the_account()
    {
        var sold = await _gateway.SellAsync();
        var number = Sales.NewMobile();
        var line = new
        {
            channel = "online", type = "mobile", productCode = "MOBILE-10GB", numberMode = "new", number,
            reservationId = await _gateway.ReserveAsync(number),
        };

        var response = await PostAsync($"/api/v1/accounts/{sold.AccountId}/subscriptions", line);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var signupId = (long)accepted["signupId"]!;
        var signup = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! != "pending", "the line addition to complete");
        Assert.Equal("completed", (string)signup!["status"]!);
        Assert.Equal(sold.AccountId, (long)accepted["accountId"]!);
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/accounts/{sold.AccountId}")!,
            a => a!["subscriptions"]!.AsArray().Count == 3, "the account to hold three lines");
    }

    [Fact]
    public async Task A_line_the_bundle_cannot_hold_is_409()
    {
        var prepaid = await _gateway.SellAsync("MOBILE-PREPAID", "prepaid", null, new SaleLine("mobile", "PREPAID-5GB"));
        var fibre = await _gateway.SellAsync();

        var full = await PostAsync($"/api/v1/accounts/{prepaid.AccountId}/subscriptions",
            new { channel = "online", type = "mobile", productCode = "PREPAID-5GB", numberMode = "new" });
        var misfit = await PostAsync($"/api/v1/accounts/{fibre.AccountId}/subscriptions", new { channel = "online", type = "tv", productCode = "TV-BASIC" });

        await full.AssertProblemAsync(HttpStatusCode.Conflict, "lines");
        await misfit.AssertProblemAsync(HttpStatusCode.Conflict, "type");
        await (await PostAsync("/api/v1/accounts/4242/subscriptions", new { channel = "online", type = "tv", productCode = "TV-BASIC" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
