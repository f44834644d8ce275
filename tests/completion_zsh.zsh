# Drives a real interactive zsh (compinit, the script under test) on a pseudo-terminal: for each
# LINE, types it and TAB, and prints the line as completion left it.
# Usage: zsh -f tests/completion_zsh.zsh SCRIPT LINE...
zmodload zsh/zpty || exit 3
script=$1
shift
zpty z zsh -f -i
zpty -w z "PS1='' PS2=''; autoload -Uz compinit && compinit -u -D && source ${(q)script} && rd_dump() { print -rn -- \$'\\n<<'\"\$BUFFER\"\$'>>\\n'; BUFFER=''; } && zle -N rd_dump && bindkey '^I' complete-word && bindkey '^Xd' rd_dump && print \${:-RE}ADY"
zpty -r z out '*READY*' || exit 4
for line in "$@"; do
  zpty -w -n z "$line"$'\t\x18d'
  zpty -r z out '*<<*>>*' || exit 5
  out=${out##*<<}
  print -r -- "${out%%>>*}"
done
zpty -d z
