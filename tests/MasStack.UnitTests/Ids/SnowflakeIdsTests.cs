using System.Collections.Concurrent;
using MasStack.Platform.Ids;
using Xunit;

namespace MasStack.UnitTests.Ids;

public class SnowflakeIdsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 15, 10, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-1)]
    [InlineData(64)]
    public void Rejects_worker_ids_outside_range(int workerId) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeIds(workerId, new FakeClock(T0)));

    [Fact]
    public void Ids_are_positive_and_strictly_increasing_across_10000_calls()
    {
        // 100 clock reads per millisecond, so the 64-per-ms sequence runs out and has to wait.
        var ids = new SnowflakeIds(5, new FakeClock(T0) { AdvancePerRead = TimeSpan.FromMicroseconds(10) });

        var previous = 0L;
        for (var i = 0; i < 10_000; i++)
        {
            var id = ids.Next();
            Assert.True(id > previous, $"id #{i} ({id}) is not above {previous}");
            previous = id;
        }
    }

    [Fact]
    public void Concurrent_callers_get_distinct_ids()
    {
        var ids = new SnowflakeIds(1, TimeProvider.System);
        var minted = new ConcurrentBag<long>();

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 2_500; i++)
            {
                minted.Add(ids.Next());
            }
        });

        Assert.Equal(10_000, minted.Distinct().Count());
    }

    [Fact]
    public void Distinct_workers_never_collide_in_the_same_millisecond()
    {
        var clock = new FakeClock(T0);
        var a = new SnowflakeIds(1, clock);
        var b = new SnowflakeIds(2, clock);

        var fromA = Enumerable.Range(0, 64).Select(_ => a.Next()).ToList();
        var fromB = Enumerable.Range(0, 64).Select(_ => b.Next()).ToList();

        Assert.All(fromA.Concat(fromB), id => Assert.Equal(T0, SnowflakeIds.TimestampOf(id)));
        Assert.Empty(fromA.Intersect(fromB));
        Assert.Equal(128, fromA.Concat(fromB).Distinct().Count());
    }

    [Fact]
    public void Sequence_exhaustion_waits_for_the_next_millisecond()
    {
        var clock = new FakeClock(T0);
        var ids = new SnowflakeIds(3, clock);
        var sameMs = Enumerable.Range(0, 64).Select(_ => ids.Next()).ToList();
        Assert.All(sameMs, id => Assert.Equal(T0, SnowflakeIds.TimestampOf(id)));

        clock.AdvancePerRead = TimeSpan.FromMicroseconds(250);
        var readsBefore = clock.Reads;
        var next = ids.Next();

        Assert.Equal(T0.AddMilliseconds(1), SnowflakeIds.TimestampOf(next));
        Assert.True(next > sameMs[^1]);
        Assert.Equal(5, clock.Reads - readsBefore); // T0, +0.25, +0.5, +0.75 ms, then +1 ms
    }

    [Fact]
    public void Clock_going_backwards_still_yields_increasing_ids()
    {
        var clock = new FakeClock(T0.AddMilliseconds(10));
        var ids = new SnowflakeIds(7, clock);
        var minted = Enumerable.Range(0, 10).Select(_ => ids.Next()).ToList();

        clock.Now = T0; // 10 ms back, and frozen there
        minted.AddRange(Enumerable.Range(0, 200).Select(_ => ids.Next()));

        clock.Now = T0.AddMilliseconds(100);
        minted.Add(ids.Next());

        for (var i = 1; i < minted.Count; i++)
        {
            Assert.True(minted[i] > minted[i - 1], $"id #{i} is not above the previous one");
        }

        // 210 ids at 64 per ms from T0+10 ms: the logical clock stepped forward to T0+13 ms.
        Assert.Equal(T0.AddMilliseconds(13), SnowflakeIds.TimestampOf(minted[209]));
        Assert.Equal(T0.AddMilliseconds(100), SnowflakeIds.TimestampOf(minted[^1]));
    }

    [Fact]
    public void Ids_stay_below_2_pow_53_until_the_41_bit_clock_runs_out()
    {
        var lastMs = SnowflakeIds.Epoch.AddMilliseconds((1L << 41) - 1);
        var clock = new FakeClock(lastMs);
        var ids = new SnowflakeIds(63, clock);

        var minted = Enumerable.Range(0, 64).Select(_ => ids.Next()).ToList();
        Assert.All(minted, id => Assert.InRange(id, 1, (1L << 53) - 1));
        Assert.Equal((1L << 53) - 1, minted[^1]);

        clock.Now = lastMs.AddMilliseconds(1);
        Assert.Throws<InvalidOperationException>(() => ids.Next());
    }

    [Fact]
    public void Clock_before_epoch_is_rejected()
    {
        var ids = new SnowflakeIds(0, new FakeClock(SnowflakeIds.Epoch.AddMilliseconds(-1)));
        Assert.Throws<InvalidOperationException>(() => ids.Next());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(63)]
    public void TimestampOf_and_WorkerOf_round_trip(int workerId)
    {
        var now = T0.AddMilliseconds(123);
        var id = new SnowflakeIds(workerId, new FakeClock(now)).Next();

        Assert.Equal(now, SnowflakeIds.TimestampOf(id));
        Assert.Equal(workerId, SnowflakeIds.WorkerOf(id));
    }

    [Fact]
    public void A_worker_taken_after_another_holder_continues_after_the_timestamp_that_holder_used()
    {
        var clock = new FakeClock(T0);
        var ids = new SnowflakeIds(4, clock);
        var usedUpTo = SnowflakeIds.TimestampNow(clock) + 50;

        ids.ContinueAfter(usedUpTo);

        Assert.Equal(T0.AddMilliseconds(51), SnowflakeIds.TimestampOf(ids.Next()));
    }

    [Fact]
    public void A_worker_taken_again_keeps_its_sequence_in_the_same_millisecond()
    {
        var clock = new FakeClock(T0);
        var ids = new SnowflakeIds(4, clock);
        var first = Enumerable.Range(0, 30).Select(_ => ids.Next()).ToList();

        ids.ContinueAfter(SnowflakeIds.TimestampNow(clock) - 1000); // an older timestamp stored beside the lease
        var second = Enumerable.Range(0, 30).Select(_ => ids.Next()).ToList();

        Assert.All(first.Concat(second), id => Assert.Equal(T0, SnowflakeIds.TimestampOf(id)));
        Assert.Equal(60, first.Concat(second).Distinct().Count());
    }

    [Fact]
    public void No_id_is_minted_past_the_ceiling_and_a_refusal_changes_nothing()
    {
        var clock = new FakeClock(T0);
        var ids = new SnowflakeIds(4, clock);
        var ceiling = SnowflakeIds.TimestampNow(clock);
        Assert.True(ids.TryNext(ceiling, out var first));

        clock.Now = T0.AddMilliseconds(5);
        Assert.False(ids.TryNext(ceiling, out _));
        Assert.Equal(ceiling, ids.LastTimestamp);
        Assert.True(ids.TryNext(ceiling + 5, out var next));
        Assert.True(next > first);
    }

    [Fact]
    public void A_closed_worker_mints_nothing_and_reports_its_last_timestamp()
    {
        var clock = new FakeClock(T0);
        var ids = new SnowflakeIds(4, clock);
        ids.Next();

        Assert.Equal(SnowflakeIds.TimestampNow(clock), ids.Close());
        Assert.False(ids.TryNext(SnowflakeIds.MaxTimestamp, out _));
    }

    /// <summary>Returns <see cref="Now"/>, then moves it forward by <see cref="AdvancePerRead"/>.</summary>
    private sealed class FakeClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public TimeSpan AdvancePerRead { get; set; }
        public int Reads { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            Reads++;
            var reading = Now;
            Now += AdvancePerRead;
            return reading;
        }
    }
}
