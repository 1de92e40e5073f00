using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;

namespace MasStack.EndToEndTests.Reference;

/// <summary>
/// The reference a partner integrates from: the page at /docs and the one document at /openapi/v1.json, which lists every
/// public route (the gateway's route table is the public-api.md table, row by row), says what ids and errors look
/// like and how to get a token, passes Redocly's lint, and generates a client (Kiota) that sells.
/// </summary>
[Collection(SuiteCollection.Name)]
public class ApiReferenceTests(SuiteFixture suite)
{
    private readonly HttpClient _anonymous = suite.CreateAnonymousGatewayClient();

    [Fact]
    public async Task The_reference_page_and_its_document_list_every_public_route_with_its_scopes_errors_and_int64_ids()
    {
        // The page answers without a token
        using var page = await _anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>MasStack API</title>", await page.Content.ReadAsStringAsync());

        var document = await (await _anonymous.GetAsync("/openapi/v1.json")).ReadJsonAsync(HttpStatusCode.OK);
        var paths = document["paths"]!.AsObject();

        // Redocly's recommended rules find no error in it
        var lint = await LintAsync(document);
        Assert.True(lint.ExitCode == 0, "redocly lint:\n" + lint.Output);

        // Every public route is an operation of the document, under its method and path
        var routes = PublicRoutes().ToList();
        var missing = routes.Where(r => Operation(paths, r.Method, r.Path) is null).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(missing.Count == 0, $"{routes.Count - missing.Count} of {routes.Count} public routes in the document; missing: {string.Join(", ", missing)}");

        // Each one says which scopes open it, and that the gateway may refuse it (problem+json; CAMARA's body on /sim-swap)
        var sale = Operation(paths, "POST", "/api/v1/signups")!;
        Assert.Equal("sales", (string)sale["security"]![0]!["oauth2"]![0]!);
        Assert.Equal("#/components/responses/Unauthorized", (string)sale["responses"]!["401"]!["$ref"]!);
        var swap = Operation(paths, "POST", "/sim-swap/v2/check")!;
        Assert.Contains("sim-swap:check", swap["security"]![0]!["oauth2"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("#/components/responses/CamaraUnauthorized", (string)swap["responses"]!["401"]!["$ref"]!);
        var scheme = document["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!;
        Assert.Equal("/connect/token", (string)scheme["tokenUrl"]!);
        Assert.NotNull(scheme["scopes"]!["sim-swap:check"]);

        // Ids are 64-bit integers, never "integer or string"
        var accountId = Operation(paths, "GET", "/api/v1/accounts/{accountId}")!["parameters"]!.AsArray()
            .Single(p => (string)p!["in"]! == "path")!["schema"]!;
        Assert.Equal("integer", (string)accountId["type"]!);
        Assert.Equal("int64", (string)accountId["format"]!);
        Assert.DoesNotContain("\"pattern\":\"^-?(?:0|[1-9]\\\\d*)$\"", document.ToJsonString());

        // The main operations show examples (the lint checked each against its schema), and the sale's works as it is
        foreach (var (method, path) in new[]
                 {
                     ("POST", "/api/v1/signups"), ("GET", "/api/v1/customer-tree"), ("POST", "/api/v1/subscriptions/{subscriptionId}/sim-replacements"),
                     ("PATCH", "/api/v1/subscriptions/{subscriptionId}/barrings"), ("POST", "/api/v1/usage-records"),
                 })
            Assert.True(Operation(paths, method, path)!.ToJsonString().Contains("\"example\""), $"{method} {path} has an example");
        var example = sale["requestBody"]!["content"]!["application/json"]!["example"]!;
        var accepted = await (await suite.Gateway.PostAsJsonAsync("/api/v1/signups", example)).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("pending", (string)accepted["status"]!);
        Assert.Equal(["internet", "mobile"], accepted["subscriptions"]!.AsArray().Select(s => (string)s!["type"]!));
    }

    [Fact]
    public async Task A_client_generated_from_the_document_by_Kiota_completes_a_sale()
    {
        // Given the document a partner downloads
        var document = await (await _anonymous.GetAsync("/openapi/v1.json")).ReadJsonAsync(HttpStatusCode.OK);
        var file = Path.Combine(Directory.CreateTempSubdirectory("masstack-openapi-").FullName, "openapi.json");
        await File.WriteAllTextAsync(file, document.ToJsonString());

        // When the online shop's program sells with the client Kiota generates from it (a number reserved, the sale
        // posted, followed until it is done)
        var sale = await GeneratedClient.GenerateBuildAndRunAsync(file, "MasStackClient", "MasStack.Client", "masstack-sale", new()
        {
            ["MASSTACK_GATEWAY"] = suite.GatewayAddress.ToString(),
            ["MASSTACK_TOKEN"] = await suite.AccessTokenAsync("webshop"),
        });

        // Then the sale completed
        Assert.True(sale.ExitCode == 0, "the sale through the generated client did not complete:\n" + sale.Output);
        Assert.Contains(" completed", sale.Output);
    }

    private static JsonObject? Operation(JsonObject paths, string method, string path) =>
        paths.FirstOrDefault(p => Shape(p.Key) == Shape(path)).Value?[method.ToLowerInvariant()] as JsonObject;

    private static string Shape(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]*\}", "{}").ToLowerInvariant();

    /// <summary>The gateway's route table, without the open routes (identity, the documents themselves).</summary>
    private static IEnumerable<(string Method, string Path)> PublicRoutes()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(GeneratedClient.RepositoryRoot(), "gateway", "appsettings.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        foreach (var (_, route) in settings["ReverseProxy"]!["Routes"]!.AsObject())
        {
            if ((string)route!["Metadata"]!["RouteGroup"]! is "reference" or "identity") continue;
            foreach (var method in route["Match"]!["Methods"]!.AsArray())
                yield return ((string)method!, (string)route["Match"]!["Path"]!);
        }
    }

    private static async Task<(int ExitCode, string Output)> LintAsync(JsonObject document)
    {
        var lintDirectory = Path.Combine(GeneratedClient.RepositoryRoot(), "tests", "api-lint");
        // Kept where a developer can read what was linted after a failure
        var file = Path.Combine(Path.GetTempPath(), "masstack-openapi-v1.json");
        await File.WriteAllTextAsync(file, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return await GeneratedClient.RunAsync(Path.Combine(lintDirectory, "node_modules", ".bin", "redocly"),
            ["lint", file, "--config", Path.Combine(lintDirectory, "redocly.yaml"), "--format", "stylish"], lintDirectory,
            new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
    }
}
