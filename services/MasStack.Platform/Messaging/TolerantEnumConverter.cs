using System.Text.Json;
using System.Text.Json.Serialization;
using MasStack.Platform.Data;

namespace MasStack.Platform.Messaging;

/// <summary>
/// Enumerations on the bus, as lowercase kebab strings (<c>pending-activation</c>), read tolerantly: a value this
/// service does not know — added to the contract by a newer producer — reads as <see cref="EnumText.Other{T}"/>
/// instead of failing the message, and is written back as <c>other</c>.
/// </summary>
public sealed class TolerantEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByText = Enum.GetValues<T>()
            .ToDictionary(value => EnumText.Of(value), StringComparer.OrdinalIgnoreCase);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => ByText.GetValueOrDefault(reader.GetString()!, EnumText.Other<T>()),
            JsonTokenType.Number when reader.TryGetInt32(out var number) && Enum.IsDefined((T)Enum.ToObject(typeof(T), number)) =>
                (T)Enum.ToObject(typeof(T), number),
            JsonTokenType.Number => EnumText.Other<T>(),
            _ => throw new JsonException($"Expected a {typeof(T).Name} as a string, got {reader.TokenType}."),
        };

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(EnumText.Of(value));
    }
}
