using System.Text.Json.Nodes;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Sales as a till would post them, each with a customer and numbers no other test uses.</summary>
public static class Sales
{
    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
    private static int _sequence = Random.Shared.Next(0, 1_000_000);

    public static string NewDni()
    {
        var number = Random.Shared.Next(10_000_000, 99_999_999);
        return $"{number}{DniLetters[number % 23]}";
    }

    /// <summary>A fixed number in 91x xxx xxx (Madrid) not used before in this run.</summary>
    public static string NewFixed() => $"91{(Interlocked.Increment(ref _sequence) * 7919L + Random.Shared.Next(0, 7919)) % 10_000_000:D7}";

    /// <summary>A mobile number in 6xx xxx xxx not used before in this run.</summary>
    public static string NewMobile() => $"6{(Interlocked.Increment(ref _sequence) * 7919L + Random.Shared.Next(0, 7919)) % 100_000_000:D8}";

    public static JsonObject NewSale(string? documentNumber = null, params string[] mobiles)
    {
        if (mobiles.Length == 0) mobiles = [NewMobile()];
        return NewSale("FIBER-MOBILE", "postpaid", documentNumber,
            [new SaleLine("internet", "FIBER-1G"), .. mobiles.Select(m => new SaleLine("mobile", "MOBILE-50GB", m))]);
    }

    /// <summary>A sale of <paramref name="bundleCode"/> with the given lines; a mobile or fixed line without a number gets a new one.</summary>
    public static JsonObject NewSale(string bundleCode, string paymentType, string? documentNumber, IEnumerable<SaleLine> saleLines)
    {
        var dni = documentNumber ?? NewDni();
        var lines = new JsonArray();
        foreach (var line in saleLines)
        {
            var json = new JsonObject { ["type"] = line.Type, ["productCode"] = line.ProductCode };
            if (line.Type is "mobile" or "fixed")
            {
                json["numberMode"] = "new";
                json["number"] = line.Number ?? (line.Type == "mobile" ? NewMobile() : NewFixed());
            }
            if (line.Iccid is not null) json["iccid"] = line.Iccid;
            lines.Add(json);
        }

        return new JsonObject
        {
            ["channel"] = "store",
            ["storeId"] = "store-0042",
            ["paymentType"] = paymentType,
            ["bundleCode"] = bundleCode,
            ["customer"] = new JsonObject
            {
                ["documentType"] = "dni",
                ["documentNumber"] = dni,
                ["firstName"] = "Lucía",
                ["lastName"] = "García Pérez",
                ["email"] = $"lucia.{dni.ToLowerInvariant()}@example.com",
                ["phone"] = "+34 612 345 678",
                ["birthDate"] = "1990-05-17",
                ["address"] = new JsonObject
                {
                    ["street"] = "Calle Mayor 1, 3º B", ["city"] = "Madrid", ["postalCode"] = "28013", ["province"] = "Madrid",
                },
                ["iban"] = paymentType == "postpaid" ? "ES91 2100 0418 4502 0005 1332" : null,
            },
            ["lines"] = lines,
        };
    }

    /// <summary>
    /// Sells through the gateway as a till would and waits until the signup completed: the starting point of
    /// every test about what happens after a sale. Its signature is what tests rely on; how a sale is made
    /// (reservations, SIMs, …) may grow behind it.
    /// </summary>
    public static async Task<SoldSale> SellAsync(
        this HttpClient gateway, string bundleCode = "FIBER-MOBILE", string paymentType = "postpaid", string? documentNumber = null,
        params SaleLine[] lines)
    {
        if (lines.Length == 0) lines = [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB")];
        var sale = NewSale(bundleCode, paymentType, documentNumber, lines);
        var response = await gateway.PostAsJsonAsync("/api/v1/signups", sale);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"The sale was refused: {body}");
        var accepted = JsonNode.Parse(body)!.AsObject();
        var signupId = (long)accepted["signupId"]!;

        var signup = await Eventually.Until(
            () => gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string)s!["status"]! != "pending", $"signup {signupId} to complete");
        Assert.True((string)signup!["status"]! == "completed", $"The sale did not complete: {signup}");

        var saleLines = sale["lines"]!.AsArray();
        var sold = accepted["subscriptions"]!.AsArray().Select((s, i) => new SoldLine(
            (long)s!["subscriptionId"]!, (string)s["type"]!, (string?)saleLines[i]!["number"] is { } n ? PhoneE164(n) : null)).ToList();
        return new SoldSale(signupId, (long)accepted["userId"]!, (long)accepted["accountId"]!,
            (string)sale["customer"]!["documentNumber"]!, (string)sale["customer"]!["email"]!, sold);
    }

    private static string PhoneE164(string national) => "+34" + national;
}

public sealed record SaleLine(string Type, string ProductCode, string? Number = null, string? Iccid = null);

public sealed record SoldLine(long SubscriptionId, string Type, string? Number);

public sealed record SoldSale(long SignupId, long UserId, long AccountId, string DocumentNumber, string Email, IReadOnlyList<SoldLine> Lines);
