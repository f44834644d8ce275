# Drives a real interactive zsh on a pseudo-terminal, the script under test installed as README
# says (as _run-docker in a folder on fpath, before compinit): for each LINE, types it and TAB,
# and prints the line as completion left it.
# Usage: zsh -f tests/completion_zsh.zsh FOLDER LINE...   (FOLDER holds _run-docker)
zmodload zsh/zpty || exit 3
folder=$1
shift
zpty z zsh -f -i
zpty -w z "PS1='' PS2=''; fpath=(${(q)folder} \$fpath) && autoload -Uz compinit && compinit -u -D && rd_dump() { print -rn -- \$'\\n<<'\"\$BUFFER\"\$'>>\\n'; BUFFER=''; } && zle -N rd_dump && bindkey '^I' complete-word && bindkey '^Xd' rd_dump && print \${:-RE}ADY"
zpty -r z out '*READY*' || exit 4
for line in "$@"; do
  zpty -w -n z "$line"$'\t\x18d'
  zpty -r z out '*<<*>>*' || exit 5
  out=${out##*<<}
  print -r -- "${out%%>>*}"
done
zpty -d z
