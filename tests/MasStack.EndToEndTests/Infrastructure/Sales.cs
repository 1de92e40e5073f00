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

    /// <summary>A mobile number in 6xx xxx xxx not used before in this run.</summary>
    public static string NewMobile() => $"6{(Interlocked.Increment(ref _sequence) * 7919L + Random.Shared.Next(0, 7919)) % 100_000_000:D8}";

    public static JsonObject NewSale(string? documentNumber = null, params string[] mobiles)
    {
        var dni = documentNumber ?? NewDni();
        if (mobiles.Length == 0) mobiles = [NewMobile()];
        var lines = new JsonArray { new JsonObject { ["type"] = "internet", ["productCode"] = "FIBER-1G" } };
        foreach (var mobile in mobiles)
            lines.Add(new JsonObject { ["type"] = "mobile", ["productCode"] = "MOBILE-50GB", ["numberMode"] = "new", ["number"] = mobile });

        return new JsonObject
        {
            ["channel"] = "store",
            ["storeId"] = "store-0042",
            ["paymentType"] = "postpaid",
            ["bundleCode"] = "FIBER-MOBILE",
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
                ["iban"] = "ES91 2100 0418 4502 0005 1332",
            },
            ["lines"] = lines,
        };
    }
}
