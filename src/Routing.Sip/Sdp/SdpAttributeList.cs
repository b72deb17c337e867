namespace Routing.Sip.Sdp;

/// <summary>Attribute look-ups over the lines of one level (session or media).</summary>
internal static class SdpAttributeList
{
    public static List<SdpAttribute> All(List<SdpLine> lines)
    {
        var result = new List<SdpAttribute>();
        foreach (var line in lines)
        {
            if (line.Type == 'a')
            {
                result.Add(SdpAttribute.From(line));
            }
        }

        return result;
    }

    public static List<SdpAttribute> Named(List<SdpLine> lines, string name)
    {
        var result = new List<SdpAttribute>();
        foreach (var line in lines)
        {
            if (IsNamed(line, name))
            {
                result.Add(SdpAttribute.From(line));
            }
        }

        return result;
    }

    public static SdpAttribute? First(List<SdpLine> lines, string name)
    {
        foreach (var line in lines)
        {
            if (IsNamed(line, name))
            {
                return SdpAttribute.From(line);
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="line"/> is "a=name" or "a=name:..." (att-field compares case-sensitively, RFC 8866 §5.13).</summary>
    public static bool IsNamed(SdpLine line, string name)
    {
        if (line.Type != 'a')
        {
            return false;
        }

        var value = line.Value.Span;
        if (value.Length < name.Length || (value.Length > name.Length && value[name.Length] != (byte)':'))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (value[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    public static SdpDirection? Direction(List<SdpLine> lines)
    {
        foreach (var line in lines)
        {
            if (IsDirection(line, out var direction))
            {
                return direction;
            }
        }

        return null;
    }

    /// <summary>True for a=sendrecv / sendonly / recvonly / inactive (all eight characters, so other lines are skipped without decoding).</summary>
    public static bool IsDirection(SdpLine line, out SdpDirection direction)
    {
        direction = SdpDirection.SendRecv;
        return line.Type == 'a' && line.Value.Length == 8 && SdpDirections.TryParse(line.Text, out direction);
    }

    public static List<T> Parse<T>(List<SdpLine> lines, string name, TryParser<T> parser)
        where T : class
    {
        var result = new List<T>();
        foreach (var line in lines)
        {
            if (IsNamed(line, name))
            {
                var attribute = SdpAttribute.From(line);
                if (attribute.Value is not null && parser(attribute.Value, out var parsed) && parsed is not null)
                {
                    result.Add(parsed);
                }
            }
        }

        return result;
    }

    public delegate bool TryParser<T>(ReadOnlySpan<char> value, out T? result);
}
