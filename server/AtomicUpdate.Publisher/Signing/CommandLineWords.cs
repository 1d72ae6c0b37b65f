using System.Text;

namespace AtomicUpdate.Publisher.Signing;

/// <summary>
/// Splits a <c>--sign-command</c> into words the way a POSIX shell would for the simple cases:
/// whitespace separates, single quotes keep text literally, double quotes keep spaces, a backslash
/// escapes the next character. No expansion happens, so the command line is exactly what was typed.
/// </summary>
internal static class CommandLineWords
{
    /// <exception cref="Trust.SignerException">A quote is not closed.</exception>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\'':
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new Trust.SignerException($"The signing command \"{text}\" has an unclosed single quote.");
                    }

                    word.Append(text, i + 1, end - i - 1);
                    i = end;
                    inWord = true;
                    break;
                case '"':
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        word.Append(text[i]);
                        i++;
                    }

                    if (i >= text.Length)
                    {
                        throw new Trust.SignerException($"The signing command \"{text}\" has an unclosed double quote.");
                    }

                    inWord = true;
                    break;
                case '\\' when i + 1 < text.Length:
                    word.Append(text[++i]);
                    inWord = true;
                    break;
                case var _ when char.IsWhiteSpace(c):
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
