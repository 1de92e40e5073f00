using MasStack.Platform.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MasStack.Platform.Ids;

/// <summary>
/// Mints the suite's ids (<see cref="SnowflakeIds"/>) under a worker number leased in Redis: a lease is a key
/// taken with SET NX and a short expiry and renewed well before it lapses, so no two running instances of any
/// service hold the same worker number, and ids never collide without anyone asking anyone at mint time.
/// </summary>
public sealed class IdGenerator(IConnectionMultiplexer redis, ServiceIdentity service, ILogger<IdGenerator> logger)
    : IHostedService, IDisposable
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);
    private const string RenewScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    private readonly string _owner = $"{service.Name}:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private volatile SnowflakeIds? _ids;
    private int _worker = -1;
    private Timer? _renewal;

    public long Next() => (_ids ?? throw new InvalidOperationException("The id worker lease has not been acquired yet.")).Next();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await AcquireAsync();
        _renewal = new Timer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _renewal?.Dispose();
        if (_worker >= 0)
            await redis.GetDatabase().ScriptEvaluateAsync(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
                [Key(_worker)], [_owner]);
    }

    public void Dispose() => _renewal?.Dispose();

    private static RedisKey Key(int worker) => $"masstack:id-worker:{worker}";

    private async Task AcquireAsync()
    {
        var db = redis.GetDatabase();
        var start = Random.Shared.Next(SnowflakeIds.MaxWorkers);
        for (var i = 0; i < SnowflakeIds.MaxWorkers; i++)
        {
            var worker = (start + i) % SnowflakeIds.MaxWorkers;
            if (!await db.StringSetAsync(Key(worker), _owner, LeaseTime, When.NotExists)) continue;
            _worker = worker;
            _ids = new SnowflakeIds(worker, TimeProvider.System);
            logger.LogInformation("Minting ids as worker {Worker}", worker);
            return;
        }
        throw new InvalidOperationException($"All {SnowflakeIds.MaxWorkers} id worker leases are taken.");
    }

    private async Task RenewAsync()
    {
        try
        {
            var renewed = (int)await redis.GetDatabase().ScriptEvaluateAsync(
                RenewScript, [Key(_worker)], [_owner, (long)LeaseTime.TotalMilliseconds]);
            if (renewed == 1) return;
            logger.LogWarning("Id worker lease {Worker} was lost; taking a new one", _worker);
            _ids = null;
            await AcquireAsync();
        }
        catch (Exception e)
        {
            // Redis unreachable: keep minting on the lease we hold; it is still ours until it expires.
            logger.LogWarning(e, "Could not renew id worker lease {Worker}", _worker);
        }
    }
}
