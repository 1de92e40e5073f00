using MasStack.Contracts;

namespace MasStack.Account.Features.Bundles;

/// <summary>A line an account holds, as the bundle rules see it.</summary>
public sealed record HeldLine(SubscriptionType Type, string ProductCode);

/// <summary>
/// Whether a bundle's composition can hold every line an account has: same payment type, a slot for every type of
/// line with room for all of them, and their products on offer there. A slot the account cannot fill yet (a bundle
/// with TV for an account without it) does not make the bundle incompatible: the move would add that line, and
/// <see cref="LinesToAdd"/> says which. Pure.
/// </summary>
public static class BundleRules
{
    /// <summary>Why <paramref name="bundle"/> cannot hold the lines; empty when it can.</summary>
    public static IReadOnlyList<string> WhyNot(CatalogueBundle bundle, PaymentType paymentType, IReadOnlyList<HeldLine> lines)
    {
        var reasons = new List<string>();
        if (bundle.PaymentType != paymentType)
            reasons.Add($"It is a {Text(bundle.PaymentType)} bundle and the account is {Text(paymentType)}.");

        foreach (var group in lines.GroupBy(l => l.Type).OrderBy(g => g.Key))
        {
            var type = Text(group.Key);
            var count = group.Count();
            var slot = bundle.Slots.FirstOrDefault(s => s.Type == group.Key);
            if (slot is null)
            {
                reasons.Add($"It has no {type} lines and the account has {count}.");
                continue;
            }
            if (count > slot.MaxLines) reasons.Add($"It holds at most {slot.MaxLines} {type} line(s) and the account has {count}.");
            foreach (var product in group.Select(l => l.ProductCode).Distinct().Where(p => !slot.Products.Contains(p)).Order())
                reasons.Add($"It does not offer product {product} on its {type} lines.");
        }
        return reasons;
    }

    /// <summary>The lines a move to <paramref name="bundle"/> would have to add to fill its slots' minimums.</summary>
    public static IReadOnlyList<string> LinesToAdd(CatalogueBundle bundle, IReadOnlyList<HeldLine> lines) =>
        bundle.Slots
            .Select(slot => (slot.Type, Missing: slot.MinLines - lines.Count(l => l.Type == slot.Type)))
            .Where(s => s.Missing > 0)
            .Select(s => $"{s.Missing} {Text(s.Type)} line(s)")
            .ToList();

    private static string Text<T>(T value) where T : struct, Enum => Platform.Data.EnumText.Of(value);
}
