using System.Runtime.InteropServices;
using System.Text;

namespace Atelier.Onnx.Native;

/// <summary>
/// Null-terminated UTF-8 copies of a session's input and output names in native memory, made once
/// so a run passes names to ORT without encoding them again.
/// </summary>
internal sealed unsafe class NameTable : IDisposable
{
    private readonly Dictionary<string, nint> _names = new(StringComparer.Ordinal);

    public NameTable(IReadOnlyList<NodeMetadata> inputs, IReadOnlyList<NodeMetadata> outputs)
    {
        foreach (var node in inputs)
        {
            Add(node.Name);
        }

        foreach (var node in outputs)
        {
            Add(node.Name);
        }
    }

    /// <summary>
    /// The native name; for a name the model does not have, a temporary copy that the caller frees
    /// with <see cref="FreeTemporaries"/> (ORT then reports the unknown name itself).
    /// </summary>
    public byte* Get(string name, out bool temporary)
    {
        if (_names.TryGetValue(name, out var known))
        {
            temporary = false;
            return (byte*)known;
        }

        temporary = true;
        return (byte*)Marshal.StringToCoTaskMemUTF8(name);
    }

    /// <summary>Frees the temporary copies <see cref="Get"/> made for names the model does not have.</summary>
    public void FreeTemporaries(ReadOnlySpan<string> names, ReadOnlySpan<nint> pointers)
    {
        for (var i = 0; i < pointers.Length; i++)
        {
            if (pointers[i] != 0 && !_names.ContainsKey(names[i]))
            {
                Marshal.FreeCoTaskMem(pointers[i]);
            }
        }
    }

    public void Dispose()
    {
        foreach (var pointer in _names.Values)
        {
            NativeMemory.Free((void*)pointer);
        }

        _names.Clear();
    }

    private void Add(string name)
    {
        if (_names.ContainsKey(name))
        {
            return;
        }

        var length = Encoding.UTF8.GetByteCount(name);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(name, new Span<byte>(buffer, length));
        buffer[length] = 0;
        _names.Add(name, (nint)buffer);
    }
}
