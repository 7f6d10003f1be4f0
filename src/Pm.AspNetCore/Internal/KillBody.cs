using System.Globalization;
using System.Text.Json;

namespace Pm.AspNetCore.Internal;

/// <summary>Reads a kill request's JSON body, <c>{"message":"…","abort":true}</c>, and says what is wrong with one that is not, in the wire's words.</summary>
/// <remarks>
/// Read token by token rather than through the serializer, so that no body, however hostile, gets an answer naming a
/// .NET type or an exception that escapes as a 500. A UTF-8 byte order mark before the JSON is skipped; properties
/// other than <c>message</c> and <c>abort</c> are ignored, as the Go server ignores them; <c>null</c> for the whole
/// body or for either property means no value, as it does to the Go server.
/// </remarks>
internal static class KillBody
{
    /// <summary>The text that every answer to a malformed body starts with.</summary>
    public const string Invalid = "invalid kill request: ";

    private const string Shape = "expected a JSON object like {\"message\":\"…\"}";

    /// <summary>Reads the body; on failure, <paramref name="error"/> says why, for a 400's text.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out string? message, out bool abort, out string? error)
    {
        message = null;
        abort = false;
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                error = Invalid + Shape;
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (!TryReadProperties(ref reader, ref message, ref abort, out error))
                {
                    return false;
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                error = Invalid + Shape;
                return false;
            }

            // Nothing may follow the one value.
            if (reader.Read())
            {
                error = Invalid + "more than one JSON value; " + Shape;
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = string.Create(
                CultureInfo.InvariantCulture,
                $"{Invalid}the body is not well-formed JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}); {Shape}");
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadProperties(ref Utf8JsonReader reader, ref string? message, ref bool abort, out string? error)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // A lone surrogate escape ("\ud800") is well-formed JSON but no text.
                    try
                    {
                        message = reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        error = Invalid + "\"message\" is not valid Unicode text";
                        return false;
                    }
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    error = Invalid + "\"message\" must be a string; " + Shape;
                    return false;
                }
            }
            else if (reader.ValueTextEquals("abort"u8))
            {
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.True:
                        abort = true;
                        break;
                    case JsonTokenType.False:
                    case JsonTokenType.Null:
                        abort = false;
                        break;
                    default:
                        error = Invalid + "\"abort\" must be true or false";
                        return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        error = null;
        return true;
    }
}
