using System.Collections.Concurrent;
using System.Globalization;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using StackExchange.Redis;

namespace MasStack.Platform.Ids;

/// <summary>
/// Mints the suite's ids (<see cref="SnowflakeIds"/>) under a worker number leased in Redis, so that no two instances
/// of any service mint with the same worker number and nobody is asked anything at mint time.
/// <list type="bullet">
/// <item>A lease is a key taken with SET NX and an expiry, renewed every <see cref="IdLeaseOptions.RenewEvery"/>. Minting
/// stops <see cref="IdLeaseOptions.SafetyMargin"/> before the lease could lapse (counted from when the last successful
/// renewal was sent), and at once when the connection to Redis fails (a restarted Redis has forgotten every lease),
/// until a renewal succeeds again; meanwhile <see cref="Next"/> throws <see cref="DependencyUnavailableException"/> (503).</item>
/// <item>Beside each lease a key that never expires keeps the highest timestamp its holders may have used: each holder
/// mints only up to the value it stored, and a new holder continues after it, so it never goes back in time.</item>
/// <item>A worker number held before by this instance keeps its sequence state when it is taken again.</item>
/// </list>
/// </summary>
public sealed class IdGenerator(
    IConnectionMultiplexer redis, ServiceIdentity service, IdLeaseOptions options, TimeProvider clock, ILogger<IdGenerator> logger)
    : IHostedService, IDisposable
{
    // KEYS: the lease, its last timestamp. ARGV: owner, lease ms, now (ms since the id epoch).
    // The new holder continues after the stored timestamp and may mint up to the new one: {stored before, stored now}.
    private const string AcquireScript =
        """
        if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return nil end
        local last = tonumber(redis.call('get', KEYS[2]) or '-1')
        local ceiling = math.max(last + 1, tonumber(ARGV[3])) + tonumber(ARGV[2])
        redis.call('set', KEYS[2], string.format('%.0f', ceiling))
        return {last, ceiling}
        """;

    // -1 when the lease is no longer ours; else the timestamp the holder may now mint up to.
    private const string RenewScript =
        """
        if redis.call('get', KEYS[1]) ~= ARGV[1] then return -1 end
        redis.call('pexpire', KEYS[1], ARGV[2])
        local ceiling = math.max(tonumber(redis.call('get', KEYS[2]) or '-1'), tonumber(ARGV[3]) + tonumber(ARGV[2]))
        redis.call('set', KEYS[2], string.format('%.0f', ceiling))
        return ceiling
        """;

    // ARGV[2]: the last timestamp actually used (lower than the ceiling stored), or -1 when none.
    private const string ReleaseScript =
        """
        if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
        if tonumber(ARGV[2]) >= 0 then redis.call('set', KEYS[2], ARGV[2]) end
        redis.call('del', KEYS[1])
        return 1
        """;

    private readonly string _owner = $"{service.Name}:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<int, SnowflakeIds> _workers = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private volatile Lease? _lease;
    private int _connectionFailures; // guarded by _gate, as are writes of _lease
    private Task? _loop;

    /// <param name="MintUntil">A <see cref="TimeProvider.GetTimestamp"/> value; <see cref="long.MinValue"/> while suspended.</param>
    /// <param name="Ceiling">The highest timestamp this holder may use, as stored beside the lease.</param>
    private sealed record Lease(int Worker, SnowflakeIds Ids, long MintUntil, long Ceiling);

    /// <summary>Whether <see cref="Next"/> mints now.</summary>
    public bool IsMinting => _lease is { } lease && clock.GetTimestamp() < lease.MintUntil;

    public long Next()
    {
        var lease = _lease;
        if (lease is not null && clock.GetTimestamp() < lease.MintUntil && lease.Ids.TryNext(lease.Ceiling, out var id)) return id;
        throw new DependencyUnavailableException(ResourceNames.Redis);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        await RenewOrAcquireAsync();
        _loop = RenewLoopAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Halt();
        if (_loop is not null) await _loop;
        Lease? lease;
        lock (_gate)
        {
            lease = _lease;
            _lease = null;
        }
        if (lease is null) return;
        var last = lease.Ids.Close();
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, Keys(lease.Worker), [_owner, last < 0 ? -1 : last]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not release id worker lease {Worker}; it lapses by itself", lease.Worker);
        }
    }

    /// <summary>Stops renewing without releasing the lease: what a process that dies leaves behind, a lease that lapses.</summary>
    public void Dispose() => Halt();

    private void Halt()
    {
        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
        if (!_stopping.IsCancellationRequested) _stopping.Cancel();
    }

    private RedisKey[] Keys(int worker) => [$"{options.KeyPrefix}:{worker}", $"{options.KeyPrefix}:{worker}:last-ms"];

    private async Task RenewLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var wait = _lease is null ? TimeSpan.FromTicks(Math.Min(options.RenewEvery.Ticks, TimeSpan.TicksPerSecond)) : options.RenewEvery;
                await _wake.WaitAsync(wait, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // A renewal is housekeeping, every few seconds on every instance: it leaves no trace (its failures are logged).
            using (SuppressInstrumentationScope.Begin())
                await RenewOrAcquireAsync();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_gate)
        {
            _connectionFailures++;
            if (_lease is { } lease) _lease = lease with { MintUntil = long.MinValue };
        }
        logger.LogWarning("Redis connection failed ({FailureType}): no ids are minted until the worker lease is renewed", e.FailureType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => Wake();

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A renewal is already due.
        }
    }

    private async Task RenewOrAcquireAsync()
    {
        await _renewing.WaitAsync();
        try
        {
            int failuresBefore;
            lock (_gate) failuresBefore = _connectionFailures;
            var sentAt = clock.GetTimestamp();
            var held = _lease;
            if (held is not null && await RenewAsync(held, sentAt, failuresBefore)) return;
            await AcquireAsync(held?.Worker, sentAt, failuresBefore);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not renew or take an id worker lease");
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task<bool> RenewAsync(Lease held, long sentAt, int failuresBefore)
    {
        var ceiling = (long)await redis.GetDatabase().ScriptEvaluateAsync(
            RenewScript, Keys(held.Worker), [_owner, LeaseMilliseconds, SnowflakeIds.TimestampNow(clock)]);
        if (ceiling >= 0)
        {
            Install(held with { Ceiling = ceiling }, sentAt, failuresBefore);
            return true;
        }
        lock (_gate) _lease = null;
        logger.LogWarning("Id worker lease {Worker} was lost; taking a new one", held.Worker);
        return false;
    }

    /// <summary>Takes a free worker number, the one held before first (it keeps its sequence state), else any from a random start.</summary>
    private async Task AcquireAsync(int? preferred, long sentAt, int failuresBefore)
    {
        var db = redis.GetDatabase();
        var start = preferred ?? Random.Shared.Next(options.Workers);
        for (var i = 0; i < options.Workers; i++)
        {
            var worker = (start + i) % options.Workers;
            var taken = await db.ScriptEvaluateAsync(AcquireScript, Keys(worker), [_owner, LeaseMilliseconds, SnowflakeIds.TimestampNow(clock)]);
            if (taken.IsNull) continue;
            var stored = (long[])taken!;
            var ids = _workers.GetOrAdd(worker, w => new SnowflakeIds(w, clock));
            ids.ContinueAfter(stored[0]);
            Install(new Lease(worker, ids, long.MinValue, stored[1]), sentAt, failuresBefore);
            logger.LogInformation("Minting ids as worker {Worker}", worker);
            return;
        }
        logger.LogWarning("All {Workers} id worker leases are taken; no ids are minted until one is free", options.Workers);
    }

    /// <summary>Mints on the lease until the window after <paramref name="sentAt"/>, unless the connection failed meanwhile.</summary>
    private void Install(Lease lease, long sentAt, int failuresBefore)
    {
        var window = (long)(options.MintingWindow.TotalSeconds * clock.TimestampFrequency);
        bool connected;
        lock (_gate)
        {
            connected = _connectionFailures == failuresBefore;
            _lease = lease with { MintUntil = connected ? sentAt + window : long.MinValue };
        }
        if (!connected) Wake();
    }

    private long LeaseMilliseconds => (long)options.LeaseTime.TotalMilliseconds;
}
