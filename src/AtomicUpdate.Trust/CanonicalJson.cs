using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// OLPC canonical JSON as securesystemslib's <c>encode_canonical</c> produces it: object members
/// sorted by code point, no whitespace, integers only, and strings escaped only for <c>"</c> and
/// <c>\</c> (every other character, control characters included, is written as raw UTF-8).
/// These are the bytes that TUF signatures cover.
/// </summary>
public static class CanonicalJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Nesting in TUF metadata is shallow; the cap keeps hostile input from exhausting the stack.
    private const int MaxDepth = 64;

    /// <summary>Encodes a JSON value in canonical form.</summary>
    /// <exception cref="MalformedMetadataException">The value holds a non-integer number or an invalid string.</exception>
    public static byte[] Encode(JsonNode? node) => Encode(node, escapeControlCharacters: false);

    /// <summary>
    /// The same sorted, compact form, but with control characters escaped (<c>\n</c>, <c>\u0001</c>):
    /// canonical JSON writes a PEM's newlines raw, which strict JSON parsers (python's json.loads,
    /// System.Text.Json) refuse, so metadata files use this form and only signatures use the canonical one.
    /// </summary>
    internal static byte[] EncodeForFile(JsonNode? node) => Encode(node, escapeControlCharacters: true);

    private static byte[] Encode(JsonNode? node, bool escapeControlCharacters)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(buffer, node, 0, escapeControlCharacters);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a JSON value in canonical form and returns it as a string.</summary>
    public static string EncodeToString(JsonNode? node) => StrictUtf8.GetString(Encode(node));

    /// <summary>
    /// Parses UTF-8 JSON strictly: duplicate member names, comments and trailing commas are refused.
    /// </summary>
    /// <exception cref="MalformedMetadataException">The text is not such JSON.</exception>
    public static JsonNode Parse(ReadOnlySpan<byte> utf8Json)
    {
        var options = new JsonDocumentOptions
        {
            AllowDuplicateProperties = false,
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = MaxDepth,
        };
        try
        {
            return JsonNode.Parse(utf8Json, documentOptions: options)
                ?? throw new MalformedMetadataException("The JSON document is the literal null.");
        }
        catch (JsonException ex)
        {
            throw new MalformedMetadataException($"The document is not valid JSON: {ex.Message}", ex);
        }
    }

    private static void Write(ArrayBufferWriter<byte> output, JsonNode? node, int depth, bool escape)
    {
        if (depth > MaxDepth)
        {
            throw new MalformedMetadataException($"The JSON value is nested deeper than {MaxDepth} levels.");
        }

        switch (node)
        {
            case null:
                output.Write("null"u8);
                break;
            case JsonObject obj:
                WriteObject(output, obj, depth, escape);
                break;
            case JsonArray array:
                output.Write("["u8);
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Write(","u8);
                    }

                    Write(output, array[i], depth + 1, escape);
                }

                output.Write("]"u8);
                break;
            case JsonValue value:
                WriteValue(output, value, escape);
                break;
            default:
                throw new MalformedMetadataException($"The JSON node type {node.GetType().Name} cannot be encoded.");
        }
    }

    private static void WriteObject(ArrayBufferWriter<byte> output, JsonObject obj, int depth, bool escape)
    {
        // Python sorts str keys by code point; ordinal order of the UTF-8 bytes is the same order,
        // whereas UTF-16 ordinal order differs for characters outside the BMP.
        var members = new List<(byte[] Key, JsonNode? Value)>(obj.Count);
        foreach (var (name, value) in obj)
        {
            members.Add((EncodeString(name), value));
        }

        members.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        output.Write("{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            WriteString(output, members[i].Key, escape);
            output.Write(":"u8);
            Write(output, members[i].Value, depth + 1, escape);
        }

        output.Write("}"u8);
    }

    private static void WriteValue(ArrayBufferWriter<byte> output, JsonValue value, bool escape)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(output, EncodeString(JsonFields.GetStringValue(value)), escape);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            case JsonValueKind.Number:
                output.Write(Encoding.ASCII.GetBytes(FormatInteger(value.ToJsonString())));
                break;
            default:
                throw new MalformedMetadataException($"The JSON value kind {value.GetValueKind()} cannot be encoded.");
        }
    }

    private static string FormatInteger(string text)
    {
        // Canonical JSON has no floats: "1.0" and "1e3" are refused as securesystemslib refuses them.
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw new MalformedMetadataException($"The number {text} is not an integer in the 64-bit range; canonical JSON allows integers only.");
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] EncodeString(string text)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new MalformedMetadataException("A JSON string holds an unpaired surrogate and has no UTF-8 form.", ex);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> utf8, bool escape)
    {
        output.Write("\""u8);
        while (!utf8.IsEmpty)
        {
            var special = escape ? utf8.IndexOfAnyInRange((byte)0, (byte)0x1F) : -1;
            var quote = utf8.IndexOfAny((byte)'"', (byte)'\\');
            if (special < 0 || (quote >= 0 && quote < special))
            {
                special = quote;
            }

            if (special < 0)
            {
                output.Write(utf8);
                break;
            }

            output.Write(utf8[..special]);
            var b = utf8[special];
            output.Write(b switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\t' => "\\t"u8,
                (byte)'\r' => "\\r"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{b:x4}"),
            });
            utf8 = utf8[(special + 1)..];
        }

        output.Write("\""u8);
    }
}
