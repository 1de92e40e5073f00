using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>Every refused sale is a problem naming its field, and leaves nothing behind: no signup, number, SIM or user.</summary>
[Collection(SuiteCollection.Name)]
public class SaleRefusalTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private async Task AssertRefusedAndNothingLeftAsync(JsonObject sale, HttpStatusCode status, string field)
    {
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);

        await response.AssertProblemAsync(status, field);
        var dni = (string)sale["customer"]!["documentNumber"]!;
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        Assert.Equal(0, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM signups WHERE document_number = @dni", new { dni }));
        Assert.Equal(0, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM document_users WHERE document_number = @dni", new { dni }));
        var numbers = sale["lines"]!.AsArray().Select(l => (string?)l!["number"]).OfType<string>().Select(n => n.StartsWith('+') ? n : "+34" + n).ToArray();
        Assert.Equal(0, await signupDb.ExecuteScalarAsync<long>("SELECT count(*) FROM numbers WHERE msisdn = ANY(@numbers)", new { numbers }));
        await using var customerDb = await suite.OpenDatabaseAsync(ResourceNames.Customer);
        Assert.Equal(0, await customerDb.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE document_number = @dni", new { dni }));
    }

    [Fact]
    public async Task A_sim_whose_luhn_digit_is_wrong_is_400() =>
        await AssertRefusedAndNothingLeftAsync(With(await _gateway.NewSaleAsync(), "lines", 1, "iccid", "8934250001000000016"),
            HttpStatusCode.BadRequest, "lines[1].iccid");

    [Fact]
    public async Task An_iban_whose_checksum_is_wrong_is_400()
    {
        var sale = await _gateway.NewSaleAsync();
        sale["customer"]!["iban"] = "ES9121000418450200051333";
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.BadRequest, "customer.iban");
    }

    [Fact]
    public async Task A_minor_is_400()
    {
        var sale = await _gateway.NewSaleAsync();
        sale["customer"]!["birthDate"] = DateTime.UtcNow.AddYears(-17).ToString("yyyy-MM-dd");
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.BadRequest, "customer.birthDate");
    }

    [Fact]
    public async Task A_new_number_outside_our_ranges_is_400()
    {
        var sale = Sales.NewSale(mobiles: "612345678");
        sale["lines"]![1]!["reservationId"] = 1;
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.BadRequest, "lines[1].number");
    }

    [Fact]
    public async Task An_unknown_bundle_is_422() =>
        await AssertRefusedAndNothingLeftAsync(With(await _gateway.NewSaleAsync(), "bundleCode", "NO-SUCH-BUNDLE"),
            HttpStatusCode.UnprocessableEntity, "bundleCode");

    [Fact]
    public async Task An_unknown_product_is_422() =>
        await AssertRefusedAndNothingLeftAsync(With(await _gateway.NewSaleAsync(), "lines", 1, "productCode", "NO-SUCH-PRODUCT"),
            HttpStatusCode.UnprocessableEntity, "lines[1].productCode");

    [Fact]
    public async Task A_product_of_another_bundle_is_422() =>
        await AssertRefusedAndNothingLeftAsync(With(await _gateway.NewSaleAsync(), "lines", 1, "productCode", "PREPAID-5GB"),
            HttpStatusCode.UnprocessableEntity, "lines[1].productCode");

    [Fact]
    public async Task A_line_the_bundle_cannot_hold_is_422()
    {
        var sale = await _gateway.NewSaleAsync();
        sale["lines"]!.AsArray().Add(new JsonObject { ["type"] = "tv", ["productCode"] = "TV-BASIC" });
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.UnprocessableEntity, "lines[2].type");
    }

    [Fact]
    public async Task A_number_that_is_not_reserved_is_409()
    {
        var sale = Sales.NewSale(mobiles: Sales.NewMobile());
        sale["lines"]![1]!["reservationId"] = 4242;
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.Conflict, "lines[1].reservationId");
    }

    [Fact]
    public async Task A_number_reserved_by_another_sale_is_409()
    {
        var mobile = Sales.NewMobile();
        await _gateway.ReserveAsync(mobile);
        var sale = Sales.NewSale(mobiles: mobile);
        sale["lines"]![1]!["reservationId"] = 4242;
        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.Conflict, "lines[1].reservationId");
    }

    [Fact]
    public async Task A_sim_already_assigned_is_409_and_the_numbers_hold_survives_for_a_corrected_sale()
    {
        var icc = await StoreSales.AvailableSimAsync(_gateway);
        Assert.Equal(HttpStatusCode.Accepted, (await _gateway.PostAsJsonAsync("/api/v1/signups", await StoreSales.StoreSaleAsync(_gateway, icc))).StatusCode);
        var sale = await StoreSales.StoreSaleAsync(_gateway, icc);

        await AssertRefusedAndNothingLeftAsync(sale, HttpStatusCode.Conflict, "lines[1].iccid");

        sale["lines"]![1]!["iccid"] = await StoreSales.AvailableSimAsync(_gateway);
        Assert.Equal(HttpStatusCode.Accepted, (await _gateway.PostAsJsonAsync("/api/v1/signups", sale)).StatusCode);
    }

    [Fact]
    public async Task Two_sales_racing_for_one_number_one_wins()
    {
        var sale = await _gateway.NewSaleAsync();
        var rival = Sales.NewSale(mobiles: (string)sale["lines"]![1]!["number"]!);
        rival["lines"]![1]!["reservationId"] = sale["lines"]![1]!["reservationId"]!.DeepClone();

        var responses = await Task.WhenAll(
            _gateway.PostAsJsonAsync("/api/v1/signups", sale), _gateway.PostAsJsonAsync("/api/v1/signups", rival));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        await responses.Single(r => r.StatusCode != HttpStatusCode.Accepted).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    private static JsonObject With(JsonObject sale, string field, JsonNode value)
    {
        sale[field] = value;
        return sale;
    }

    private static JsonObject With(JsonObject sale, string list, int index, string field, JsonNode value)
    {
        sale[list]![index]![field] = value;
        return sale;
    }
}
