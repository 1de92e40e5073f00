using System.Collections.Concurrent;
using System.Text;
using Dapper;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;

namespace MasStack.Notifications.Features.Hub;

/// <summary>Wakes this instance's dispatcher when a consumer committed new deliveries (the other instance polls).</summary>
public sealed class DeliverySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    public void Wake() { try { _signal.Release(); } catch (SemaphoreFullException) { } }
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Sends due deliveries, with any number of instances: claims them (FOR UPDATE SKIP LOCKED, then a lease), commits, posts
/// each outside any transaction — signed per Standard Webhooks — and records the result. Due: the earliest undelivered
/// delivery of its (registration, subject) by the event's version (two replicas may consume a line's events out of order), past its retry time, not leased, of an active registration: one callback
/// hears about one line in event order. A failure waits its turn in the retry schedule; after the last one the
/// registration is suspended with the reason. Requests time out on their own, and each callback origin has its own
/// bounded concurrency, so a slow or dead callback holds only its own deliveries back.
/// </summary>
public sealed class HubDispatcher(
    NpgsqlDataSource database, IHttpClientFactory clients, IOptions<HubOptions> settings, DeliverySignal signal, ILogger<HubDispatcher> log)
    : BackgroundService
{
    public const string ClientName = "hub-callbacks";
    private const int Batch = 64;
    private readonly HubOptions _options = settings.Value;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _perCallback = new();
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private static readonly TimeSpan RetrySlack = TimeSpan.FromMilliseconds(50);
    private readonly PriorityQueue<DateTimeOffset, DateTimeOffset> _retries = new();

    private sealed record Due(long Id, Guid RegistrationId, Guid EventId, string Body, int Attempts, string Callback, string Secret, string? Traceparent);

    /// <summary>The claim: the earliest pending delivery per (registration, subject) — by the event's version, then arrival — if due, leased for a request's time and more.</summary>
    public const string ClaimSql =
        """
        WITH heads AS (
            SELECT DISTINCT ON (d.registration_id, d.subject) d.id
            FROM hub_deliveries d JOIN hub_registrations r ON r.id = d.registration_id AND r.state = 'active'
            WHERE d.status = 'pending'
            ORDER BY d.registration_id, d.subject, d.version, d.id
        ), claimed AS (
            SELECT d.id FROM hub_deliveries d
            WHERE d.id IN (SELECT id FROM heads) AND d.status = 'pending' AND d.due_at <= now()
              AND (d.leased_until IS NULL OR d.leased_until < now())
            ORDER BY d.id LIMIT @batch
            FOR UPDATE SKIP LOCKED
        )
        UPDATE hub_deliveries d SET leased_until = now() + @lease, attempts = d.attempts + 1,
               first_attempt_at = coalesce(d.first_attempt_at, now())
        FROM claimed c, hub_registrations r
        WHERE d.id = c.id AND r.id = d.registration_id
        RETURNING d.id AS Id, d.registration_id AS RegistrationId, d.event_id AS EventId, d.body AS Body, d.attempts AS Attempts,
                  r.callback AS Callback, r.secret AS Secret, d.traceparent AS Traceparent
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<Due> claimed;
                using (SuppressInstrumentationScope.Begin()) claimed = await ClaimAsync(stoppingToken); // a poll that finds nothing leaves no trace
                foreach (var delivery in claimed) _ = SendAsync(delivery, stoppingToken);
                if (claimed.Count == Batch) continue;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Claiming hub deliveries failed; trying again.");
            }
            try { await signal.WaitAsync(UntilNextPoll(), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// The poll is for deliveries another instance recorded and for leases that ran out; a retry this instance scheduled
    /// wakes it when it falls due (a little after, the database's clock deciding), not at the next poll.
    /// </summary>
    private TimeSpan UntilNextPoll()
    {
        lock (_retries)
        {
            var now = DateTimeOffset.UtcNow;
            while (_retries.TryPeek(out _, out var due) && due + RetrySlack <= now) _retries.Dequeue();
            if (!_retries.TryPeek(out _, out var next)) return _options.PollInterval;
            var until = next + RetrySlack - now;
            return until < _options.PollInterval ? until : _options.PollInterval;
        }
    }

    private void RetryAt(DateTimeOffset due)
    {
        lock (_retries) _retries.Enqueue(due, due);
        signal.Wake(); // the loop may be waiting out a whole poll interval: it sets its wait again
    }

    private async Task<IReadOnlyList<Due>> ClaimAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var lease = _options.RequestTimeout + _options.ConnectTimeout + TimeSpan.FromSeconds(30);
        var rows = (await connection.QueryAsync<Due>(ClaimSql, new { batch = Batch, lease }, transaction)).AsList();
        await transaction.CommitAsync(ct);
        return rows.Where(row => _inFlight.TryAdd(row.Id, 0)).ToList();
    }

    private async Task SendAsync(Due delivery, CancellationToken ct)
    {
        using var activity = Telemetry.StartContinuing("hub delivery", delivery.Traceparent); // in the trace of the event it tells of
        activity?.SetTag("masstack.hub.registration", delivery.RegistrationId);
        activity?.SetTag("masstack.hub.event", delivery.EventId);
        var origin = new Uri(delivery.Callback).GetLeftPart(UriPartial.Authority);
        var gate = _perCallback.GetOrAdd(origin, _ => new SemaphoreSlim(_options.ConcurrencyPerCallback));
        string? error = null;
        try
        {
            await gate.WaitAsync(ct);
            try
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var id = delivery.EventId.ToString();
                using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Callback)
                {
                    Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("webhook-id", id);
                request.Headers.Add("webhook-timestamp", timestamp.ToString());
                request.Headers.Add("webhook-signature", WebhookSignature.Sign(delivery.Secret, id, timestamp, delivery.Body));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.RequestTimeout);
                using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!response.IsSuccessStatusCode) error = $"The callback answered {(int)response.StatusCode}.";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = $"The callback did not answer within {_options.RequestTimeout.TotalSeconds:0} s.";
            }
            catch (HttpRequestException e)
            {
                error = "The callback could not be reached: " + e.Message;
            }
            finally
            {
                gate.Release();
            }
            await RecordAsync(delivery, error, CancellationToken.None);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Recording hub delivery {Delivery} failed; its lease will run out and it is sent again.", delivery.Id);
        }
        catch (OperationCanceledException) { }
        finally
        {
            _inFlight.TryRemove(delivery.Id, out _);
        }
        if (error is null) signal.Wake(); // the next delivery about the same subject is due now
    }

    private async Task RecordAsync(Due delivery, string? error, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        if (error is null)
        {
            await connection.ExecuteAsync(
                "UPDATE hub_deliveries SET status = 'delivered', delivered_at = now(), leased_until = NULL, last_error = NULL WHERE id = @Id",
                new { delivery.Id });
            return;
        }
        if (RetrySchedules.After(_options.Schedule, delivery.Attempts) is { } wait)
        {
            await connection.ExecuteAsync(
                "UPDATE hub_deliveries SET due_at = now() + @wait, leased_until = NULL, last_error = @error WHERE id = @Id",
                new { delivery.Id, wait, error });
            RetryAt(DateTimeOffset.UtcNow + wait);
            return;
        }
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(
            "UPDATE hub_deliveries SET status = 'failed', leased_until = NULL, last_error = @error WHERE id = @Id",
            new { delivery.Id, error }, transaction);
        await connection.ExecuteAsync(
            """
            UPDATE hub_registrations SET state = 'suspended', suspended_at = now(),
                   suspended_reason = @reason
            WHERE id = @RegistrationId AND state = 'active'
            """,
            new { delivery.RegistrationId, reason = $"Event {delivery.EventId} could not be delivered in {delivery.Attempts} attempts; the last: {error}" },
            transaction);
        await transaction.CommitAsync(ct);
        log.LogWarning("Hub registration {Registration} suspended: {Error}", delivery.RegistrationId, error);
    }
}

public static class HubSetup
{
    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HubOptions>().Configure(options => options.RequirePublicCallbacks = !builder.Environment.IsDevelopment())
            .Bind(builder.Configuration.GetSection("Hub"));
        builder.Services.AddSingleton(sp => new CallbackPolicy(sp.GetRequiredService<IOptions<HubOptions>>().Value));
        builder.Services.AddSingleton<DeliverySignal>();
        // No default resilience pipeline: the retry schedule is the hub's own, and one shared circuit breaker would let a
        // dead callback stop deliveries to every other.
        builder.Services.AddHttpClient(HubDispatcher.ClientName).WithoutDefaultResilience()
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<HubOptions>>().Value;
                var policy = sp.GetRequiredService<CallbackPolicy>();
                return new SocketsHttpHandler
                {
                    ConnectTimeout = options.ConnectTimeout,
                    ConnectCallback = policy.ConnectAsync,
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    UseProxy = false,
                };
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddHostedService<HubDispatcher>();
        return builder;
    }
}
