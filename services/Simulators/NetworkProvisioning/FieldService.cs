using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.NetworkProvisioning;

/// <summary>How the simulated field service behaves: how long a visit takes to report, and how often it fails.</summary>
public sealed record FieldServiceBehaviour(int DelayMs, double FailureRate);

/// <summary>
/// The field service's stand-in (technicians installing fixed, internet and TV lines), beside the network's SIM provisioning:
/// starts from <c>FieldService:DelayMs</c> and <c>FieldService:FailureRate</c> (<c>FieldService__DelayMs</c>, …), changeable at
/// run time (<c>PUT /admin/field-service</c>). A failed visit answers 422 with its reason; an operator (or a test) can
/// make the next visits for one number fail (<c>POST /admin/field-service/failures</c>).
/// </summary>
public sealed class FieldService(IConfiguration configuration)
{
    private FieldServiceBehaviour _current = new(configuration.GetValue("DelayMs", 20), configuration.GetValue("FailureRate", 0.0));
    private readonly ConcurrentDictionary<string, int> _failuresFor = new();

    public FieldServiceBehaviour Current => Volatile.Read(ref _current);

    public ProvisioningLedger Done { get; } = new();

    public void Set(FieldServiceBehaviour behaviour) => Volatile.Write(ref _current, behaviour);

    public void FailNext(string key, int visits) => _failuresFor[key] = visits;

    /// <summary>Whether this visit fails: one of the failures asked for the order's number or line, else by the failure rate.</summary>
    public bool VisitFails(JsonObject order)
    {
        foreach (var key in KeysOf(order))
        {
            while (_failuresFor.TryGetValue(key, out var left) && left > 0)
                if (_failuresFor.TryUpdate(key, left - 1, left)) return true;
        }
        return Random.Shared.NextDouble() < Current.FailureRate;
    }

    private static IEnumerable<string> KeysOf(JsonObject order)
    {
        if (order["parameters"]?["number"] is JsonValue number && number.TryGetValue<string>(out var n)) yield return n;
        if (order["subscriptionId"] is JsonValue line) yield return line.ToJsonString();
    }
}

public sealed record InstallationFailures(string? Key, int Visits);

public static class FieldServiceApi
{
    private const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapFieldServiceApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/installations", Install);
        var admin = app.MapGroup("/admin/field-service");
        admin.MapGet("/", (FieldService service) => TypedResults.Ok(service.Current));
        admin.MapPut("/", Results<Ok<FieldServiceBehaviour>, ValidationProblem> (FieldServiceBehaviour requested, FieldService service) =>
        {
            if (requested.DelayMs is < 0 or > 60_000 || requested.FailureRate is < 0 or > 1)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["behaviour"] = ["delayMs 0–60000, failureRate 0–1."] });
            service.Set(requested);
            return TypedResults.Ok(requested);
        });
        admin.MapPost("/failures", Results<NoContent, ValidationProblem> (InstallationFailures failures, FieldService service) =>
        {
            if (string.IsNullOrEmpty(failures.Key) || failures.Visits is < 0 or > 100)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = ["A number (E.164) or subscription id, and 0–100 visits."] });
            service.FailNext(failures.Key, failures.Visits);
            return TypedResults.NoContent();
        });
        admin.MapGet("/installations/{idempotencyKey}", Results<Ok<AppliedOrder>, NotFound> (string idempotencyKey, FieldService service) =>
            service.Done.Find(idempotencyKey) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound());
        return app;
    }

    /// <summary>A visit: reported after the configured delay, done (once per idempotency key) or failed with its reason (422).</summary>
    private static async Task<Results<Ok<AppliedOrder>, ProblemHttpResult, ValidationProblem>> Install(
        JsonObject order, HttpContext http, FieldService service, CancellationToken ct)
    {
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length == 0) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyHeader] = ["Required."] });
        if (service.Current.DelayMs > 0) await Task.Delay(service.Current.DelayMs, ct);
        if (service.Done.Find(key) is not null) return TypedResults.Ok(service.Done.Apply(key, order));
        if (service.VisitFails(order))
            return TypedResults.Problem(title: "Installation not completed",
                detail: "The technician could not complete the installation: nobody was at the premises.", statusCode: StatusCodes.Status422UnprocessableEntity);
        return TypedResults.Ok(service.Done.Apply(key, order));
    }
}
