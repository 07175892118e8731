// The storable-text checks live with the other pure value checks (#libs/identifiers).
export { storableJson, storableText, unstorableText } from '#libs/identifiers';
