using System.Collections.Concurrent;
using System.Diagnostics;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace MasStack.UnitTests.Ids;

/// <summary>The id generator's worker lease against a real redis-server that each test starts, freezes, kills and restarts.</summary>
public class IdLeaseTests
{
    private static readonly IdLeaseOptions Short = new()
    {
        LeaseTime = TimeSpan.FromSeconds(2), RenewEvery = TimeSpan.FromMilliseconds(300), SafetyMargin = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_generator_that_cannot_renew_stops_minting_before_its_lease_could_lapse_and_resumes_after()
    {
        // Given a generator minting under a 2-second lease
        await using var server = await RedisProcess.StartAsync();
        using var redis = await server.ConnectAsync();
        using var generator = await StartedAsync(redis, Short);
        var minted = new List<long> { generator.Next() };

        // When Redis stops answering (frozen, so the connection stays open)
        await server.FreezeAsync();
        var frozenAt = DateTimeOffset.UtcNow;
        var refused = false;
        var watch = Stopwatch.StartNew();
        while (!refused && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                minted.Add(generator.Next());
            }
            catch (DependencyUnavailableException)
            {
                refused = true;
            }
        }

        // Then it stops minting, and every id it minted is timestamped before the lease could have passed to anyone else
        Assert.True(refused, "The generator kept minting on a lease it could not renew.");
        Assert.All(minted, id => Assert.True(SnowflakeIds.TimestampOf(id) < frozenAt + Short.LeaseTime));

        // And once Redis answers again it mints again, never an id twice
        await server.ThawAsync();
        await WaitUntil(() => generator.IsMinting, "the generator to renew or retake a lease");
        minted.AddRange(Enumerable.Range(0, 1000).Select(_ => generator.Next()));
        Assert.Equal(minted.Count, minted.Distinct().Count());
    }

    [Fact]
    public async Task A_generator_whose_lease_is_taken_stops_minting_and_the_next_holder_never_goes_back_in_time()
    {
        // Given one worker number, held by a generator that mints
        await using var server = await RedisProcess.StartAsync();
        using var redis = await server.ConnectAsync();
        var options = Short with { Workers = 1 };
        using var generator = await StartedAsync(redis, options);
        var before = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();

        // When another holder takes the lease (as after a failover) and has used timestamps 3 s ahead of this clock
        var db = redis.GetDatabase();
        var usedUpTo = SnowflakeIds.TimestampNow(TimeProvider.System) + 3000;
        await db.StringSetAsync($"{options.KeyPrefix}:0:last-ms", usedUpTo);
        await db.StringSetAsync($"{options.KeyPrefix}:0", "another-instance", TimeSpan.FromMinutes(1));

        // Then the generator notices at its next renewal and refuses to mint: 503
        await WaitUntil(() => !generator.IsMinting, "the generator to notice that its lease is gone");
        Assert.Throws<DependencyUnavailableException>(() => generator.Next());

        // And when the other holder lets go, it takes the worker number again and continues after what the other used
        await db.KeyDeleteAsync($"{options.KeyPrefix}:0");
        await WaitUntil(() => generator.IsMinting, "the generator to take the free worker number");
        var after = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();
        Assert.All(after, id => Assert.True(SnowflakeIds.TimestampOf(id) > SnowflakeIds.Epoch.AddMilliseconds(usedUpTo)));
        Assert.Equal(2000, before.Concat(after).Distinct().Count());
    }

    [Fact]
    public async Task Through_a_Redis_restart_a_generator_pauses_keeps_its_sequence_and_the_next_holder_continues_after_it()
    {
        // Given one worker number held by a generator whose clock stands still (every id in one millisecond)
        await using var server = await RedisProcess.StartAsync();
        var clock = new StillClock(DateTimeOffset.UtcNow);
        var options = Short with { Workers = 1 };
        using var redisA = await server.ConnectAsync();
        var a = await StartedAsync(redisA, options, clock);
        var minted = Enumerable.Range(0, 30).Select(_ => a.Next()).ToList();

        // When Redis is killed (forgetting every lease and timestamp) and started again
        await server.KillAsync();
        await WaitUntil(() => !a.IsMinting, "the generator to stop minting when its connection to Redis fails");
        Assert.Throws<DependencyUnavailableException>(() => a.Next());
        await server.StartAgainAsync();

        // Then it takes its worker number again and continues its sequence in the same millisecond: no id twice
        await WaitUntil(() => a.IsMinting, "the generator to take its worker number again");
        minted.AddRange(Enumerable.Range(0, 30).Select(_ => a.Next()));
        Assert.Equal(60, minted.Distinct().Count());

        // And a second instance gets the worker number only once the first lets go, and continues after its last id
        using var redisB = await server.ConnectAsync();
        using var b = await StartedAsync(redisB, options, clock);
        Assert.Throws<DependencyUnavailableException>(() => b.Next());
        await a.StopAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromMilliseconds(1);
        await WaitUntil(() => b.IsMinting, "the second instance to take the released worker number");
        var fromB = Enumerable.Range(0, 30).Select(_ => b.Next()).ToList();
        Assert.All(fromB, id => Assert.True(id > minted.Max()));
        Assert.Equal(90, minted.Concat(fromB).Distinct().Count());
        a.Dispose();
    }

    [Fact]
    public async Task Four_generators_sharing_three_worker_numbers_with_lease_churn_mint_a_million_distinct_ids()
    {
        // Given four instances competing for three worker numbers under a 1-second lease
        await using var server = await RedisProcess.StartAsync();
        var options = new IdLeaseOptions
        {
            LeaseTime = TimeSpan.FromSeconds(1), RenewEvery = TimeSpan.FromMilliseconds(200), SafetyMargin = TimeSpan.FromMilliseconds(300), Workers = 3,
        };
        const int Target = 1_000_000;
        var minted = new ConcurrentBag<long[]>();
        var total = 0;
        var churned = 0;

        // When each mints batches and, every few thousand ids, stops (releasing its lease) or dies (leaving it to lapse)
        // and a new instance takes its place
        async Task RunInstanceSlotAsync(int slot)
        {
            var random = new Random(slot);
            while (Volatile.Read(ref total) < Target)
            {
                using var redis = await server.ConnectAsync();
                var generator = await StartedAsync(redis, options);
                var batch = new List<long>();
                var lifetime = random.Next(5_000, 60_000);
                while (batch.Count < lifetime && Volatile.Read(ref total) < Target)
                {
                    try
                    {
                        batch.Add(generator.Next());
                        if (batch.Count % 1000 == 0) Interlocked.Add(ref total, 1000);
                    }
                    catch (DependencyUnavailableException)
                    {
                        // 503: retry shortly, as a client would.
                        await Task.Delay(2);
                    }
                }
                Interlocked.Add(ref total, batch.Count % 1000);
                minted.Add([.. batch]);
                if (random.Next(2) == 0) await generator.StopAsync(CancellationToken.None);
                generator.Dispose();
                Interlocked.Increment(ref churned);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(slot => Task.Run(() => RunInstanceSlotAsync(slot))));

        // Then a million ids or more were minted, and none twice
        var all = minted.SelectMany(b => b).ToArray();
        Assert.True(all.Length >= Target, $"{all.Length} ids minted");
        Assert.True(churned >= 16, $"only {churned} instances came and went");
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    private static async Task<IdGenerator> StartedAsync(IConnectionMultiplexer redis, IdLeaseOptions options, TimeProvider? clock = null)
    {
        var generator = new IdGenerator(
            redis, new ServiceIdentity("id-lease-test", typeof(IdLeaseTests).Assembly), options, clock ?? TimeProvider.System,
            NullLogger<IdGenerator>.Instance);
        await generator.StartAsync(CancellationToken.None);
        return generator;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after 20 s.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>A wall clock that moves only when told (the monotonic timestamps that time the lease run as usual).</summary>
    private sealed class StillClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
