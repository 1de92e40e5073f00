using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MasStack.ClearingHouse;

/// <summary>Another operator asks to take one of MasStack's numbers: the holder's document (postpaid) or the SIM's ICCID (prepaid).</summary>
public sealed record PortOutFiling(string? Number, string? RecipientOperator, string? DocumentNumber, string? DonorIccid);

/// <summary>A port-out as the clearing house follows it: accepted or rejected by MasStack (the donor), then ported when its window ends.</summary>
public sealed record PortOutStatus(long Id, string Number, string RecipientOperator, string State, string? Reason, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

/// <summary>MasStack as the donor operator: its Subscription service, found by service discovery.</summary>
public sealed class DonorClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Subscription}");

    public async Task<(string State, string? Reason)> AskAsync(long id, PortOutFiling filing, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync($"/internal/port-outs/{id}",
            new { filing.Number, filing.RecipientOperator, filing.DocumentNumber, filing.DonorIccid, windowStart, windowEnd }, JsonSerializerOptions.Web, ct);
        response.EnsureSuccessStatusCode();
        var answer = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, ct));
        return (answer.GetProperty("state").GetString()!, answer.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
    }

    /// <summary>Tells the donor the port was executed: true once it confirmed, false when it refused (the line ended otherwise).</summary>
    public async Task<bool> ExecutedAsync(long id, CancellationToken ct)
    {
        using var response = await http.PostAsync($"/internal/port-outs/{id}/execution", null, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict) return false;
        response.EnsureSuccessStatusCode();
        return true;
    }
}

/// <summary>
/// The port-outs the clearing house carries for MasStack as donor: filed by a test or an operator (standing in for another
/// operator), validated by MasStack at once, and executed when the window (after <see cref="ClearingHouseOptions.ScheduleDelay"/>,
/// <see cref="ClearingHouseOptions.WindowLength"/> long) ends — told to MasStack until it confirms.
/// </summary>
public sealed class PortOutBook(IOptions<ClearingHouseOptions> options, TimeProvider clock)
{
    private long _lastId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private readonly ConcurrentDictionary<long, PortOutStatus> _portOuts = new();

    public async Task<PortOutStatus> FileAsync(PortOutFiling filing, DonorClient donor, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _lastId);
        var windowStart = clock.GetUtcNow() + options.Value.ScheduleDelay;
        var windowEnd = windowStart + options.Value.WindowLength;
        var (state, reason) = await donor.AskAsync(id, filing, windowStart, windowEnd, ct);
        return _portOuts[id] = new PortOutStatus(id, filing.Number!, filing.RecipientOperator!, state, reason, windowStart, windowEnd);
    }

    public PortOutStatus? Get(long id) => _portOuts.GetValueOrDefault(id);

    public IReadOnlyList<PortOutStatus> DueForExecution() =>
        _portOuts.Values.Where(p => p.State == "accepted" && p.WindowEnd <= clock.GetUtcNow()).ToList();

    public void Executed(PortOutStatus portOut, bool confirmed) =>
        _portOuts[portOut.Id] = confirmed ? portOut with { State = "ported" } : portOut with { State = "cancelled", Reason = "The donor no longer holds the line." };
}

/// <summary>Tells the donor of every accepted port-out whose window has ended that it was executed, until the donor confirms.</summary>
public sealed class PortOutExecutor(PortOutBook book, IServiceScopeFactory scopes, ILogger<PortOutExecutor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var portOut in book.DueForExecution())
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    book.Executed(portOut, await scope.ServiceProvider.GetRequiredService<DonorClient>().ExecutedAsync(portOut.Id, stoppingToken));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("The donor did not confirm port-out {Id}: {Reason}; told again", portOut.Id, e.Message);
                }
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}

public static class PortOutApi
{
    public static IEndpointRouteBuilder MapPortOutApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/port-out-requests");
        api.MapPost("/", async Task<Results<Ok<PortOutStatus>, ValidationProblem, ProblemHttpResult>> (
            PortOutFiling filing, PortOutBook book, DonorClient donor, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(filing.Number) || string.IsNullOrWhiteSpace(filing.RecipientOperator))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["number"] = ["number and recipientOperator are required."] });
            try
            {
                return TypedResults.Ok(await book.FileAsync(filing, donor, ct));
            }
            catch (HttpRequestException e)
            {
                return TypedResults.Problem($"The donor did not answer: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        api.MapGet("/{id:long}", Results<Ok<PortOutStatus>, NotFound> (long id, PortOutBook book) =>
            book.Get(id) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound());
        return app;
    }
}
