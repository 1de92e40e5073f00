using MasStack.Contracts;

namespace MasStack.Consumption.Features.Rating;

public enum UsageType { Voice, Sms, Data }

public enum Destination { National, International, Roaming, Premium }

/// <summary>A valid record of a known line, ready to rate: quantity in seconds (voice), messages (sms) or bytes (data).</summary>
public sealed record UsageRecord(string RecordId, long SubscriptionId, UsageType Type, Destination Destination, DateTimeOffset StartedAt, long Quantity)
{
    public string Period { get; } = RatingRules.PeriodOf(StartedAt);
}

/// <summary>What one record cost: units taken from the allowance, units charged and their price, and the part nobody could pay (refused).</summary>
public sealed record RatedRecord(UsageRecord Record, long AllowanceQuantity, long ChargedQuantity, decimal Charge, long RefusedQuantity, decimal RefusedAmount);

/// <summary>A bonus's allowances, valid from <see cref="StartDate"/> to <see cref="EndDate"/> inclusive.</summary>
public sealed record BonusAllowance(DateOnly StartDate, DateOnly EndDate, Allowances Allowances);

/// <summary>
/// What a line's usage is rated with. <see cref="Available"/>: the money its usage may still take — a prepaid line's
/// balance (one pot), a postpaid line's cap less what it spent in each month (<see cref="CapLeft"/>) — or none for a postpaid
/// line without a cap.
/// </summary>
public sealed record LineTariff(
    long SubscriptionId, PaymentType PaymentType, Allowances Allowances, UsageRates Rates, IReadOnlyList<BonusAllowance> Bonuses,
    decimal? Balance, decimal? Cap, IReadOnlyDictionary<string, decimal> SpentByPeriod);

/// <summary>
/// The rating rules, pure. A record draws on the line's allowance of its type for its month first — national and roaming
/// usage only (roaming like at home); international and premium-rate usage is always charged — with each bonus valid on the
/// record's day adding its allowance. What is left is charged at the product's rate for the type and destination
/// (voice per minute, rated by the second; SMS per message; data per MB of 1,048,576 bytes).
/// <para>
/// Rounding, the one rule: each record's charge is rounded on its own to the cent, half away from zero (0.005 → 0.01), before
/// anything is added up; totals are sums of rounded charges, so a month's total is the sum of its records' lines.
/// </para>
/// A prepaid charge is paid from the balance, a postpaid one counts against the month's cap when there is one: the part
/// that money cannot pay is refused (recorded as such, never charged), in the record's units proportionally (rounded
/// down, so what is charged never exceeds what was paid for). Records are rated in the order they started, then by id.
/// </summary>
public static class RatingRules
{
    public const long BytesPerMb = 1_048_576;
    public const int SecondsPerMinute = 60;

    public static string PeriodOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM");

    public static string PeriodOf(DateOnly date) => date.ToString("yyyy-MM");

    /// <summary>Half away from zero, to the cent.</summary>
    public static decimal Round(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>What <paramref name="quantity"/> units cost before rounding.</summary>
    public static decimal Price(UsageType type, Destination destination, long quantity, UsageRates rates)
    {
        var table = type switch { UsageType.Voice => rates.Voice, UsageType.Sms => rates.Sms, _ => rates.Data };
        var rate = destination switch
        {
            Destination.National => table.National,
            Destination.International => table.International,
            Destination.Roaming => table.Roaming,
            _ => table.Premium,
        };
        return type switch
        {
            UsageType.Voice => quantity * rate / SecondsPerMinute,
            UsageType.Sms => quantity * rate,
            _ => quantity * rate / BytesPerMb,
        };
    }

    public static bool DrawsOnAllowance(Destination destination) => destination is Destination.National or Destination.Roaming;

    /// <summary>The allowance of <paramref name="type"/> in its units on <paramref name="day"/>: null for unlimited, 0 for none.</summary>
    public static long? AllowanceOn(UsageType type, DateOnly day, Allowances product, IEnumerable<BonusAllowance> bonuses)
    {
        long total = 0;
        foreach (var allowances in bonuses.Where(b => b.StartDate <= day && day <= b.EndDate).Select(b => b.Allowances).Prepend(product))
        {
            var units = Units(type, allowances);
            if (units is null) continue;
            if (units < 0) return null;
            total += units.Value;
        }
        return total;
    }

    private static long? Units(UsageType type, Allowances allowances) => type switch
    {
        UsageType.Voice => allowances.VoiceMinutes is { } m ? (m == Allowances.Unlimited ? -1 : (long)m * SecondsPerMinute) : null,
        UsageType.Sms => allowances.Sms is { } s ? (s == Allowances.Unlimited ? -1 : s) : null,
        _ => allowances.DataMb is { } d ? (d == Allowances.Unlimited ? -1 : d * BytesPerMb) : null,
    };

    /// <summary>
    /// Rates a line's new records against its tariff and what it used so far (<paramref name="used"/>, by month and type;
    /// updated). Returns each record's rating and the money left (the prepaid balance, or null).
    /// </summary>
    public static (IReadOnlyList<RatedRecord> Rated, decimal? BalanceLeft) Rate(
        LineTariff line, IEnumerable<UsageRecord> records, Dictionary<(string Period, UsageType Type), long> used)
    {
        var balance = line.PaymentType == PaymentType.Prepaid ? line.Balance ?? 0m : (decimal?)null;
        var spent = new Dictionary<string, decimal>(line.SpentByPeriod);
        var rated = new List<RatedRecord>();
        foreach (var record in records.OrderBy(r => r.StartedAt).ThenBy(r => r.RecordId, StringComparer.Ordinal))
        {
            var fromAllowance = 0L;
            if (DrawsOnAllowance(record.Destination))
            {
                var day = DateOnly.FromDateTime(record.StartedAt.UtcDateTime);
                var allowance = AllowanceOn(record.Type, day, line.Allowances, line.Bonuses);
                var key = (record.Period, record.Type);
                var usedSoFar = used.GetValueOrDefault(key);
                fromAllowance = allowance is { } cap ? Math.Clamp(cap - usedSoFar, 0, record.Quantity) : record.Quantity;
                used[key] = usedSoFar + fromAllowance;
            }
            var billable = record.Quantity - fromAllowance;
            var price = billable == 0 ? 0m : Round(Price(record.Type, record.Destination, billable, line.Rates));

            var monthSpent = spent.GetValueOrDefault(record.Period);
            decimal? payable = balance ?? (line.Cap is { } limit ? Math.Max(0m, limit - monthSpent) : null);
            var charge = payable is { } money && price > money ? money : price;
            var refusedAmount = price - charge;
            var chargedQuantity = refusedAmount == 0 ? billable : (long)decimal.Floor(billable * charge / price);
            spent[record.Period] = monthSpent + charge;
            if (balance is not null) balance -= charge;
            rated.Add(new RatedRecord(record, fromAllowance, chargedQuantity, charge, billable - chargedQuantity, refusedAmount));
        }
        return (rated, balance);
    }
}
