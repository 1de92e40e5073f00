using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.NetworkProvisioning;

public static class ProvisioningApi
{
    private const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapProvisioningApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/orders", Provision);
        var admin = app.MapGroup("/admin");
        admin.MapGet("/behaviour", (NetworkBehaviour behaviour) => TypedResults.Ok(behaviour.Current));
        admin.MapPut("/behaviour", Results<Ok<Behaviour>, ValidationProblem> (Behaviour requested, NetworkBehaviour behaviour) =>
        {
            if (requested.LatencyMs is < 0 or > 60_000 || requested.FailureRate is < 0 or > 1)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["behaviour"] = ["latencyMs 0–60000, failureRate 0–1."] });
            behaviour.Set(requested);
            return TypedResults.Ok(requested);
        });
        admin.MapGet("/orders", (ProvisioningLedger ledger) => TypedResults.Ok(ledger.All));
        admin.MapGet("/barrings/{subscriptionId:long}", Results<Ok<LineBarrings>, NotFound> (long subscriptionId, ProvisioningLedger ledger) =>
            ledger.BarringsOf(subscriptionId) is { } barrings ? TypedResults.Ok(barrings) : TypedResults.NotFound());
        admin.MapGet("/orders/{idempotencyKey}", Results<Ok<AppliedOrder>, NotFound> (string idempotencyKey, ProvisioningLedger ledger) =>
            ledger.Find(idempotencyKey) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound());
        return app;
    }

    /// <summary>
    /// Applies a change order after the configured latency. A failing call fails one of two ways, as a real network does:
    /// before applying (503), or after applying with the answer lost (503 all the same) — the caller cannot tell them
    /// apart, and only the idempotency key keeps a retry from applying the order twice.
    /// </summary>
    private static async Task<Results<Ok<AppliedOrder>, ContentHttpResult, ProblemHttpResult, ValidationProblem>> Provision(
        JsonObject order, HttpContext http, NetworkBehaviour behaviour, ProvisioningLedger ledger, CancellationToken ct)
    {
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length == 0) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyHeader] = ["Required."] });

        var current = behaviour.Current;
        if (current.LatencyMs > 0) await Task.Delay(current.LatencyMs, ct);
        if (current.MalformedFor is { } broken && order["parameters"]?["iccid"]?.GetValue<string>() is { } iccid && broken.Contains(iccid))
            return TypedResults.Text("{\"networkOrderId\": ", "application/json", statusCode: StatusCodes.Status200OK);
        var fails = Random.Shared.NextDouble() < current.FailureRate;
        var answerLost = fails && Random.Shared.Next(2) == 0;
        if (fails && !answerLost) return Unavailable();

        var applied = ledger.Apply(key, order);
        return answerLost ? Unavailable() : TypedResults.Ok(applied);
    }

    private static ProblemHttpResult Unavailable() =>
        TypedResults.Problem(title: "Network unavailable", detail: "The provisioning platform did not complete the call.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
